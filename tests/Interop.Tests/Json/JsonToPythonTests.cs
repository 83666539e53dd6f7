using System.Text;
using System.Text.Json;
using static Sidewinder.Interop.Tests.Json.JsonTestHelpers;

namespace Sidewinder.Interop.Tests.Json;

[Collection(PythonTests.Name)]
public sealed class JsonToPythonTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Theory]
    [InlineData("null", "v is None")]
    [InlineData("true", "v is True")]
    [InlineData("false", "v is False")]
    [InlineData(" [null, true, false] ", "v == [None, True, False] and v[1] is True")]
    public void FromJson_Literals_BecomeSingletons(string json, string predicate)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8(json));
        Assert.True(Check(py, value, predicate));
    }

    [Theory]
    [InlineData("\"\"", "v == '' and type(v) is str")]
    [InlineData("\"plain\"", "v == 'plain'")]
    [InlineData("\"ünïcödé 日本 🐍\"", "v == 'ünïcödé 日本 🐍'")]
    [InlineData("\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"", "v == 'é\\n\\t\"\\\\/\\b\\f\\r'")]
    [InlineData("\"\\ud83d\\udc0d\"", "v == '🐍' and len(v) == 1")]
    [InlineData("\"nul\\u0000inside\"", "v == 'nul\\x00inside'")]
    public void FromJson_String_BecomesStr(string json, string predicate)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8(json));
        Assert.True(Check(py, value, predicate));
    }

    [Theory]
    [InlineData("\"a\\ud800b\"", "v == 'a\\ud800b' and len(v) == 3")]
    [InlineData("\"\\udc80\"", "v == '\\udc80'")]
    [InlineData("\"é\\ud800\\ud83d\\udc0d\\udbff\"", "v == 'é\\ud800🐍\\udbff'")]
    [InlineData("{\"k\\ud800\": 1}", "v == {'k\\ud800': 1}")]
    public void FromJson_LoneSurrogateEscapes_AreKeptAsInJsonLoads(string json, string predicate)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8(json));
        Assert.True(Check(py, value, predicate));
        using var loads = py.Eval("__import__('json').loads");
        using var text = py.Str(json);
        using var expected = loads.Call(text);
        Assert.True(value.EqualsValue(expected));
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("9223372036854775807", "2**63 - 1")]
    [InlineData("-9223372036854775808", "-2**63")]
    [InlineData("18446744073709551616", "2**64")]
    [InlineData("-18446744073709551616", "-(2**64)")]
    [InlineData("1606938044258990275541962092341162602522202993782792835301376", "2**200")]
    public void FromJson_IntegerLiteral_BecomesExactInt(string json, string expression)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8(json));
        Assert.True(Check(py, value, $"type(v) is int and v == {expression}"));
    }

    [Theory]
    [InlineData(599)]
    [InlineData(600)]
    [InlineData(601)]
    [InlineData(4301)]
    public void FromJson_LongIntegerLiterals_AreExactEitherSideOfThePythonParseThreshold(int digits)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        var text = "-" + new string('7', digits);
        using var value = py.FromJson(Utf8(text));
        Assert.True(Check(py, value, $"v == -(7 * (10**{digits} - 1) // 9)"));
        Assert.Equal(text, value.ToJson());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void FromJson_IntegerBeyondDecimalDigitLimit_BecomesExactInt(int sign)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        var digits = System.Numerics.BigInteger.Pow(7, 10000) * sign;
        using var value = py.FromJson(Utf8(digits.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(Check(py, value, $"v == {(sign < 0 ? "-" : "")}7 ** 10000"));
    }

    [Fact]
    public void FromJson_IntegerOverOneMillionDigits_ThrowsTooLarge()
    {
        using var scope = _runtime.Attach();
        var json = Utf8("[" + new string('9', 1_000_002) + "]");
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(json).Dispose());
        Assert.Equal(PythonJsonErrorKind.TooLarge, error.Kind);
        Assert.Equal("$[0]", error.Path);
    }

    [Theory]
    [InlineData("1.0", "v == 1.0")]
    [InlineData("1e3", "v == 1000.0")]
    [InlineData("2.5E-3", "v == 0.0025")]
    [InlineData("-0.0", "v == 0 and __import__('math').copysign(1, v) == -1")]
    [InlineData("1e400", "v == float('inf')")]
    [InlineData("0.1", "v == 0.1")]
    public void FromJson_OtherNumbers_BecomeFloat(string json, string predicate)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8(json));
        Assert.True(Check(py, value, "type(v) is float and " + predicate));
    }

    [Fact]
    public void FromJson_ArraysAndObjects_BecomeListsAndDictsInOrder()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8("{\"z\": [], \"a\": {}, \"m\": [1, [2, {\"x\": null}]], \"b\": \"s\"}"));
        Assert.True(Check(py, value, "v == {'z': [], 'a': {}, 'm': [1, [2, {'x': None}]], 'b': 's'} and list(v) == ['z', 'a', 'm', 'b'] and type(v['m']) is list"));
    }

    [Fact]
    public void FromJson_DuplicateKeys_LastValueWinsAtFirstPosition()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8("{\"a\": 1, \"b\": 2, \"a\": 3}"));
        Assert.True(Check(py, value, "list(v.items()) == [('a', 3), ('b', 2)]"));
    }

    [Theory]
    [InlineData("", 1, 1)]
    [InlineData("{", 1, 2)]
    [InlineData("[1,]", 1, 4)]
    [InlineData("{'a': 1}", 1, 2)]
    [InlineData("NaN", 1, 1)]
    [InlineData("[1]\n  2", 2, 3)]
    [InlineData("// comment\n1", 1, 1)]
    [InlineData("{\"a\" 1}", 1, 6)]
    public void FromJson_InvalidJson_ThrowsInvalidJsonWithPosition(string json, int line, int column)
    {
        using var scope = _runtime.Attach();
        var bytes = Utf8(json);
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(bytes).Dispose());
        Assert.Equal(PythonJsonErrorKind.InvalidJson, error.Kind);
        Assert.Contains($"line {line}, byte {column}", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    [Fact]
    public void FromJson_InvalidUtf8InString_ThrowsInvalidJson()
    {
        using var scope = _runtime.Attach();
        byte[] plain = [(byte)'[', (byte)'"', 0xff, (byte)'"', (byte)']'];
        byte[] escaped = [(byte)'{', (byte)'"', (byte)'k', (byte)'"', (byte)':', (byte)'"', 0xc3, (byte)'\\', (byte)'n', (byte)'"', (byte)'}'];
        byte[] withSurrogate = [(byte)'"', 0xed, 0xa0, 0x80, (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0', (byte)'"'];
        var first = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(plain).Dispose());
        Assert.Equal(PythonJsonErrorKind.InvalidJson, first.Kind);
        Assert.Equal("$[0]", first.Path);
        var second = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(escaped).Dispose());
        Assert.Equal("$.k", second.Path);
        // Raw CESU-8 surrogate bytes are invalid UTF-8 even when an escape in the same string is a lone surrogate.
        var third = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(withSurrogate).Dispose());
        Assert.Equal(PythonJsonErrorKind.InvalidJson, third.Kind);
    }

    [Fact]
    public void FromJson_ByteOrderMark_IsSkipped()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson([0xEF, 0xBB, 0xBF, (byte)'[', (byte)'1', (byte)']']);
        Assert.True(Check(py, value, "v == [1]"));
    }

    [Fact]
    public void FromJson_NestingAtMaxDepth_Succeeds()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.FromJson(Utf8(new string('[', 128) + new string(']', 128)));
        Assert.True(Check(py, value, "v == eval('[' * 128 + ']' * 128)"));
    }

    [Theory]
    [InlineData(129, 128)]
    [InlineData(1_000_000, 128)]
    [InlineData(1_000_000, 1000)]
    public void FromJson_NestingBeyondMaxDepth_ThrowsTooDeep(int levels, int maxDepth)
    {
        using var scope = _runtime.Attach();
        var json = Utf8(new string('[', levels) + new string(']', levels));
        var options = new JsonConversionOptions { MaxDepth = maxDepth };
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(json, options).Dispose());
        Assert.Equal(PythonJsonErrorKind.TooDeep, error.Kind);
        Assert.Contains($"MaxDepth ({maxDepth})", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("$[0][0][0]", error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_DeepObjects_ReportKeyPath()
    {
        using var scope = _runtime.Attach();
        var options = new JsonConversionOptions { MaxDepth = 3 };
        var json = Utf8("{\"a\": [{\"odd key\": {\"x\": 1}}]}");
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(json, options).Dispose());
        Assert.Equal("$.a[0][\"odd key\"]", error.Path);
    }

    [Fact]
    public void FromJson_FailurePartWay_ReleasesWhatItBuilt()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var marker = py.FromJson(Utf8("\"shared-key\""));
        using var interned = py.Eval("__import__('sys').intern");
        using var key = interned.Call(marker);
        var before = RefCount(py, key);
        var json = Utf8("[{\"shared-key\": [1, 2, {\"shared-key\": \"x\"}]}, {\"shared-key\": [" + new string('9', 10) + ", NaN]}]");
        for (var i = 0; i < 20; i++)
        {
            var error = PyAssert.Throws<PythonJsonException>(py, p => p.FromJson(json).Dispose());
            Assert.Equal(PythonJsonErrorKind.InvalidJson, error.Kind);
        }
        Assert.Equal(before, RefCount(py, key));
    }

    [Fact]
    public void FromJson_RepeatedKeys_ShareOneStrAndSurviveCacheEviction()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        // Enough distinct keys to overflow the key cache while outer keys wait for their values.
        var json = new StringBuilder("{");
        for (var i = 0; i < 600; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("\"outer").Append(i).Append("\":{");
            for (var j = 0; j < 5; j++)
            {
                json.Append(j == 0 ? "" : ",").Append("\"inner").Append((i * 7) + j).Append("\":").Append(j);
            }
            json.Append('}');
        }
        // One key per row: the cache is direct-mapped with a per-process random hash seed, so a second key ("name") could
        // share the slot of "id" in one process of 256 and evict it between the rows (it failed so once on 3.13t).
        json.Append(",\"rows\":[{\"id\":1},{\"id\":2}]}");
        var text = json.ToString();
        using var value = py.FromJson(Utf8(text));
        using var loads = py.Eval("__import__('json').loads");
        using var textObject = py.Str(text);
        using var expected = loads.Call(textObject);
        Assert.True(value.EqualsValue(expected));
        Assert.True(Check(py, value, "list(v['rows'][0])[0] is list(v['rows'][1])[0]"));
    }

    [Fact]
    public void FromJson_VariedDocument_MatchesJsonLoads()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        const string Text = """
            {"users": [{"id": 1, "name": "Ann \u00e9", "tags": ["a", "b"], "score": 9.5, "ok": true, "next": null},
                       {"id": -2, "name": "\ud83d\ude00", "tags": [], "score": -1e-5, "ok": false, "big": 123456789012345678901234567890}],
             "meta": {"count": 2, "nested": {"deeper": [[[]]], "esc": "line\nbreak \"quoted\" \\ slash \/"}}}
            """;
        using var value = py.FromJson(Utf8(Text));
        using var loads = py.Eval("__import__('json').loads");
        using var textObject = py.Str(Text);
        using var expected = loads.Call(textObject);
        Assert.True(value.EqualsValue(expected));
    }

    [Fact]
    public void FromJson_JsonElement_MatchesUtf8Overload()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        const string Text = """{"a\u0041": ["x\ud800", 18446744073709551616, 1.5, 1e400, true, null, {"a": 1, "a": 2}], "é": {}}""";
        using var document = JsonDocument.Parse(Text);
        using var fromElement = py.FromJson(document.RootElement);
        using var fromUtf8 = py.FromJson(Utf8(Text));
        Assert.True(fromElement.EqualsValue(fromUtf8));
        Assert.True(Check(py, fromElement, "v == {'aA': ['x\\ud800', 2**64, 1.5, float('inf'), True, None, {'a': 2}], 'é': {}}"));
        using var nested = py.FromJson(document.RootElement.GetProperty("aA")[1]);
        Assert.True(Check(py, nested, "v == 2**64"));
    }

    [Fact]
    public void FromJson_JsonElementTooDeep_ThrowsTooDeep()
    {
        using var scope = _runtime.Attach();
        using var document = JsonDocument.Parse("[[[[1]]]]");
        var root = document.RootElement;
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => p.FromJson(root, new JsonConversionOptions { MaxDepth = 3 }).Dispose());
        Assert.Equal(PythonJsonErrorKind.TooDeep, error.Kind);
        Assert.Equal("$[0][0][0]", error.Path);
    }

    [Fact]
    public void FromJson_DefaultJsonElement_ThrowsArgumentException()
    {
        using var scope = _runtime.Attach();
        PyAssert.Throws<ArgumentException>(scope.Python, p => p.FromJson(default(JsonElement)).Dispose());
    }

    [Fact]
    public void FromJson_OfToJson_RoundTrips()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var original = py.Eval("{'s': 'xé🐍\\x00', 'i': [0, -1, 2**100, -(7**3000)], 'f': [0.1, -0.0, 1e300, 5e-324], 'n': None, 'b': [True, False], 'd': {'': {}}}");
        using var back = py.FromJson(original.ToJsonUtf8());
        Assert.True(back.EqualsValue(original));
        // A lone surrogate does not survive: it leaves Python as U+FFFD.
        using var surrogate = py.Eval("['x\\ud800']");
        using var replaced = py.FromJson(surrogate.ToJsonUtf8());
        using var expected = py.Eval("['x\\ufffd']");
        Assert.True(replaced.EqualsValue(expected));
    }
}
