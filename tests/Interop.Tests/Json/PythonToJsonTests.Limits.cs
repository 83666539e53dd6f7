using System.Text.Json;
using static Sidewinder.Interop.Tests.Json.JsonTestHelpers;

namespace Sidewinder.Interop.Tests.Json;

public sealed partial class PythonToJsonTests
{
    [Fact]
    public void ToJson_IntOverOneMillionDigits_ThrowsTooLarge()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        var error = PyAssert.Throws<PythonJsonException>(py, p =>
        {
            using var huge = p.Eval("[1 << 3400000]"); // about 1.02 million decimal digits
            huge.ToJsonUtf8(new JsonConversionOptions { MaxOutputBytes = long.MaxValue });
        });
        Assert.Equal(PythonJsonErrorKind.TooLarge, error.Kind);
        Assert.Equal("$[0]", error.Path);
    }

    [Fact]
    public void ToJson_SelfReferencingList_ThrowsCycle()
    {
        using var scope = _runtime.Attach();
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p =>
        {
            using var list = Exec(p, "result = [1]\nresult.append(result)");
            try
            {
                list.ToJson();
            }
            finally
            {
                list.CallMethod("clear").Dispose(); // break the cycle for the garbage collector's sake
            }
        });
        Assert.Equal(PythonJsonErrorKind.Cycle, error.Kind);
        Assert.Equal("$[1]", error.Path);
    }

    [Fact]
    public void ToJson_SelfReferencingDict_ThrowsCycleWithPath()
    {
        using var scope = _runtime.Attach();
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p =>
        {
            using var dict = Exec(p, "result = {'a': [0, {}]}\nresult['a'][1]['back'] = result");
            try
            {
                dict.ToJson();
            }
            finally
            {
                dict.CallMethod("clear").Dispose();
            }
        });
        Assert.Equal(PythonJsonErrorKind.Cycle, error.Kind);
        Assert.Equal("$.a[1].back", error.Path);
        Assert.Contains("already being converted at $.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_SharedAcyclicReferences_WritesEachOccurrence()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, "x = [1, {'k': 'v'}]\nresult = [x, x, {'again': x, 'tuple': (x, x)}]");
        Assert.Equal(
            "[[1,{\"k\":\"v\"}],[1,{\"k\":\"v\"}],{\"again\":[1,{\"k\":\"v\"}],\"tuple\":[[1,{\"k\":\"v\"}],[1,{\"k\":\"v\"}]]}]",
            value.ToJson());
    }

    [Fact]
    public void ToJson_NestingAtMaxDepth_Succeeds()
    {
        using var scope = _runtime.Attach();
        var json = ToJson(scope.Python, "eval('[' * 128 + ']' * 128)");
        Assert.Equal(new string('[', 128) + new string(']', 128), json);
    }

    [Theory]
    [InlineData("[]", 129, 128)]
    [InlineData("{}", 129, 128)]
    [InlineData("[]", 100_000, 1000)]
    public void ToJson_NestingBeyondMaxDepth_ThrowsTooDeep(string shell, int levels, int maxDepth)
    {
        using var scope = _runtime.Attach();
        var options = new JsonConversionOptions { MaxDepth = maxDepth };
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p =>
        {
            var build = shell == "[]"
                ? $"result = []\nfor _ in range({levels - 1}): result = [result]"
                : $"result = {{}}\nfor _ in range({levels - 1}): result = {{'k': result}}";
            using var value = Exec(p, build);
            value.ToJson(options);
        });
        Assert.Equal(PythonJsonErrorKind.TooDeep, error.Kind);
        Assert.Contains($"MaxDepth ({maxDepth})", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(shell == "[]" ? "$[0][0]" : "$.k.k", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_OutputBeyondMaxOutputBytes_ThrowsTooLarge()
    {
        using var scope = _runtime.Attach();
        var options = new JsonConversionOptions { MaxOutputBytes = 1000 };
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => ToJson(p, "[{'name': 'item-%d' % i} for i in range(1000)]", options));
        Assert.Equal(PythonJsonErrorKind.TooLarge, error.Kind);
        Assert.Contains("MaxOutputBytes (1000 bytes)", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("$[", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteJson_HugeStringOverLimit_FailsBeforeBufferingIt()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval("['x' * 50_000_000]");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        var options = new JsonConversionOptions { MaxOutputBytes = 1024 * 1024 };
        try
        {
            value.WriteJson(writer, options);
            Assert.Fail("Expected TooLarge.");
        }
        catch (PythonJsonException error)
        {
            Assert.Equal(PythonJsonErrorKind.TooLarge, error.Kind);
            Assert.Equal("$[0]", error.Path);
        }
        Assert.True(writer.BytesCommitted + writer.BytesPending < 1024 * 1024);
    }

    [Fact]
    public void ToJson_FailingRepr_ThrowsPythonExceptionAndReleasesReferences()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = Exec(py, """
            class Broken:
                def __repr__(self): raise ValueError('no repr for you')
            shared = [1, 2]
            result = {'ok': shared, 'bad': [shared, Broken()]}
            """);
        using var shared = value.GetItem("ok");
        var before = RefCount(py, shared);
        PythonException? error = null;
        try
        {
            value.ToJson();
        }
        catch (PythonException expected)
        {
            error = expected;
        }
        Assert.NotNull(error);
        Assert.Equal("ValueError", error.PythonType);
        Assert.Equal("no repr for you", error.PythonMessage);
        Assert.Equal(before, RefCount(py, shared));
    }

    [Fact]
    public void ToJson_FailingIsoFormat_ThrowsPythonException()
    {
        using var scope = _runtime.Attach();
        var error = PyAssert.Throws<PythonException>(scope.Python, p =>
        {
            using var value = Exec(p, """
                import datetime
                class Odd(datetime.date):
                    def isoformat(self): raise RuntimeError('isoformat failed')
                result = [Odd(2024, 1, 1)]
                """);
            value.ToJson();
        });
        Assert.Equal("RuntimeError", error.PythonType);
    }

    [Fact]
    public void ToJson_Success_LeavesReferenceCountsUnchanged()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var both = Exec(py, """
            item = 'x' * 3 + 'é'
            class Thing: pass
            thing = Thing()
            payload = {'a': [item, (item,), {item}], item: {'n': item}, 'f': [item, 2**80, 1.5, None, thing],
                       'sub': __import__('collections').OrderedDict(k=item)}
            result = (item, thing, payload)
            """);
        using var item = Item(py, both, 0);
        using var thing = Item(py, both, 1);
        using var payload = Item(py, both, 2);
        var itemCount = RefCount(py, item);
        var thingCount = RefCount(py, thing);
        for (var i = 0; i < 100; i++)
        {
            _ = payload.ToJsonUtf8();
        }
        Assert.Equal(itemCount, RefCount(py, item));
        Assert.Equal(thingCount, RefCount(py, thing));
    }

    [Fact]
    public void WriteJson_CallerWriterWithSmallMaxDepth_ThrowsTooDeepNotWriterError()
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval("[[[[1]]]]");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = 3 });
        try
        {
            value.WriteJson(writer);
            Assert.Fail("Expected TooDeep.");
        }
        catch (PythonJsonException error)
        {
            Assert.Equal(PythonJsonErrorKind.TooDeep, error.Kind);
            Assert.Contains("Utf8JsonWriter", error.Message, StringComparison.Ordinal);
        }
    }
}
