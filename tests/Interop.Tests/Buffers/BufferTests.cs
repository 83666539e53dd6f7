using System.Runtime.CompilerServices;

namespace Sidewinder.Interop.Tests.Buffers;

[Collection(PythonTests.Name)]
public sealed class BufferTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    /// <summary>Debian's numpy exists for the default 3.11 runtime only (see RuntimeTests).</summary>
    private static bool HasNumpy(Python py) => py.Info.Version.Minor == 11;

    private static PyBound Exec(Python py, string code, string name, PyBound globals)
    {
        using var compiled = py.Compile(code, "<buffer test>", CompileMode.Exec);
        py.Execute(compiled, globals);
        return globals.GetItem(name);
    }

    [Fact]
    public void Get_ArrayModuleAndMemoryview_ReadsItemsInPlace()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var doubles = py.Eval("__import__('array').array('d', [1.5, 2.5, -3.0])");
        using (var buffer = PyBuffer.Get(doubles))
        {
            Assert.Equal("d", buffer.Format);
            Assert.Equal(8, buffer.ItemSize);
            Assert.Equal(1, buffer.Dimensions);
            Assert.Equal([1.5, 2.5, -3.0], buffer.AsSpan<double>().ToArray());
            var wrongType = PyAssert.Throws<InvalidCastException>(py, p =>
            {
                using var again = p.Eval("__import__('array').array('d', [1.0])");
                using var b = PyBuffer.Get(again);
                _ = b.AsSpan<int>();
            });
            Assert.Contains("format 'd'", wrongType.Message, StringComparison.Ordinal);
        }
        using var ints = py.Eval("memoryview(__import__('array').array('i', range(6))).cast('B').cast('i', (2, 3))");
        using (var buffer = PyBuffer.Get(ints))
        {
            Assert.Equal(2, buffer.Dimensions);
            Assert.Equal(3, buffer.Shape(1));
            Assert.Equal([3, 4, 5], buffer.Row<int>(1).ToArray());
            Assert.Equal(4, buffer.Get<int>(1, 1));
        }
    }

    [Fact]
    public void Get_Strided_RefusesASpanButReadsItems()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var every_other = py.Eval("memoryview(__import__('array').array('q', range(10)))[::2]");
        using var buffer = PyBuffer.Get(every_other);
        Assert.False(buffer.IsCContiguous);
        Assert.Equal(16, buffer.Stride(0));
        var error = Assert.Throws<InvalidOperationException>(() => _runtime.Attach(p =>
        {
            using var again = p.Eval("memoryview(__import__('array').array('q', range(10)))[::2]");
            using var b = PyBuffer.Get(again);
            return b.AsSpan<long>().Length;
        }));
        Assert.Contains("not C-contiguous", error.Message, StringComparison.Ordinal);
        Assert.Equal(8L, buffer.Get<long>(4));
    }

    [Fact]
    public void Writable_BytearrayChangedThroughSpan_PythonSeesIt_AndResizeWaitsForDispose()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = py.NewGlobals();
        using var data = Exec(py, "data = bytearray(b'abc')", "data", globals);
        using var resize = py.Compile("try:\n    data.extend(b'!')\n    blocked = False\nexcept BufferError:\n    blocked = True", "<resize>", CompileMode.Exec);
        using (var buffer = PyBuffer.Get(data, writable: true))
        {
            buffer.AsWritableSpan<byte>()[0] = (byte)'X';
            py.Execute(resize, globals);
            using var blocked = globals.GetItem("blocked");
            Assert.True(blocked.IsTrue()); // the exporter is pinned while the view is held
        }
        py.Execute(resize, globals);
        using (var blocked = globals.GetItem("blocked"))
        {
            Assert.False(blocked.IsTrue());
        }
        Assert.Equal("bytearray(b'Xbc!')", data.Repr());
    }

    [Fact]
    public void Writable_ReadOnlyExporter_IsRefused()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var bytes = py.Eval("b'abc'");
        var error = PyAssert.Throws<PythonException>(py, p =>
        {
            using var b = p.Eval("b'abc'");
            PyBuffer.Get(b, writable: true).Dispose();
        });
        Assert.Equal("BufferError", error.PythonType);
        using var buffer = PyBuffer.Get(bytes);
        Assert.True(buffer.IsReadOnly);
        Assert.Equal("abc"u8.ToArray(), buffer.AsSpan<byte>().ToArray());
    }

    [Fact]
    public void Numpy_AllDtypesAndShapes_ReadInPlace()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        if (!HasNumpy(py))
        {
            return; // covered for these runtimes by the array/memoryview tests above
        }
        using var globals = py.NewGlobals();
        using var i32 = Exec(py, "import numpy as np\na = np.arange(6, dtype=np.int32)", "a", globals);
        using var i64 = Exec(py, "b = np.arange(6, dtype=np.int64).reshape(2, 3)", "b", globals);
        using var f32 = Exec(py, "c = np.array([0.5, 1.5], dtype=np.float32)", "c", globals);
        using var f64 = Exec(py, "d = np.linspace(0, 1, 5)", "d", globals);
        using var transposed = Exec(py, "e = np.arange(6, dtype=np.float64).reshape(2, 3).T", "e", globals);
        using var frozen = Exec(py, "f = np.ones(3)\nf.setflags(write=False)", "f", globals);
        using (var a = PyBuffer.Get(i32))
        {
            Assert.Equal([0, 1, 2, 3, 4, 5], a.AsSpan<int>().ToArray());
        }
        using (var b = PyBuffer.Get(i64))
        {
            Assert.Equal([3L, 4L, 5L], b.Row<long>(1).ToArray());
            Assert.Equal(6, b.AsSpan<long>().Length);
        }
        using (var c = PyBuffer.Get(f32))
        {
            Assert.Equal([0.5f, 1.5f], c.AsSpan<float>().ToArray());
        }
        using (var d = PyBuffer.Get(f64, writable: true))
        {
            d.AsWritableSpan<double>()[4] = 42;
        }
        using var check = Exec(py, "check = float(d[4])", "check", globals);
        Assert.Equal(42.0, check.GetDouble());
        using (var e = PyBuffer.Get(transposed))
        {
            Assert.False(e.IsCContiguous);
            Assert.Equal(3, e.Shape(0));
            Assert.Equal(5.0, e.Get<double>(2, 1)); // e[2, 1] == original[1, 2]
        }
        var refused = PyAssert.Throws<PythonException>(py, p =>
        {
            using var g = p.Eval("__import__('numpy').ones(2)");
            using var flags = p.Eval("{'write': False}");
            using var setflags = g.GetAttr("setflags");
            setflags.CallWithKeywords(default, flags).Dispose();
            PyBuffer.Get(g, writable: true).Dispose();
        });
        Assert.Equal("ValueError", refused.PythonType); // numpy: "buffer source array is read-only"
        using (var f = PyBuffer.Get(frozen))
        {
            Assert.True(f.IsReadOnly);
        }
    }
}
