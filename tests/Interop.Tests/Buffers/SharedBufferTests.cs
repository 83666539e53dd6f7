using System.Runtime.CompilerServices;

namespace Sidewinder.Interop.Tests.Buffers;

[Collection(PythonTests.Name)]
public sealed class SharedBufferTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    private static bool HasNumpy(Python py) => py.Info.Version.Minor == 11;

    private static string Run(Python py, PyBound exporter, string code)
    {
        using var globals = py.NewGlobals();
        globals.SetItem("exp", exporter);
        using var compiled = py.Compile(code, "<shared buffer>", CompileMode.Exec);
        py.Execute(compiled, globals);
        using var result = globals.GetItem("result");
        return result.Str();
    }

    [Fact]
    public void ShareBuffer_Memoryview_SeesAndWritesTheDotNetArray()
    {
        var data = new double[] { 1, 2, 3 };
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var exporter = py.ShareBuffer<double>(data);
        data[0] = 10; // written by .NET after sharing: Python sees the same memory
        Assert.Equal("d 8 (3,) False 10.0", Run(py, exporter, "m = memoryview(exp)\nm[2] = 30.0\nresult = f'{m.format} {m.itemsize} {m.shape} {m.readonly} {m[0]}'"));
        Assert.Equal(30, data[2]);
    }

    [Fact]
    public void ShareBuffer_ReadOnly_RefusesWrites()
    {
        var data = new int[] { 1, 2 };
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var exporter = py.ShareBuffer<int>(data, readOnly: true);
        Assert.Equal("True TypeError", Run(py, exporter, """
            m = memoryview(exp)
            try:
                m[0] = 5
                outcome = 'written'
            except TypeError as e:
                outcome = 'TypeError'
            result = f'{m.readonly} {outcome}'
            """));
        Assert.Equal(1, data[0]);
    }

    [Fact]
    public void ShareBuffer_ViewOutlivesExporter_KeepsTheArrayPinnedUntilTheLastViewGoes()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = py.NewGlobals();
        var weak = ShareAndDrop(py, globals);
        Collect();
        Assert.True(weak.IsAlive, "the array was released while a view of it still existed");
        using var sum = py.Compile("result = sum(view)", "<sum>", CompileMode.Exec);
        py.Execute(sum, globals);
        using (var result = globals.GetItem("result"))
        {
            Assert.Equal(6.0, result.GetDouble());
        }
        using var drop = py.Compile("del view\nimport gc\ngc.collect()", "<drop>", CompileMode.Exec);
        py.Execute(drop, globals);
        Collect();
        Assert.False(weak.IsAlive, "the array stayed pinned after the last view was released");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ShareAndDrop(Python py, PyBound globals)
    {
        var data = new double[] { 1, 2, 3 };
        using var exporter = py.ShareBuffer<double>(data);
        globals.SetItem("exp", exporter);
        using var view = py.Compile("view = memoryview(exp)\ndel exp", "<view>", CompileMode.Exec);
        py.Execute(view, globals);
        return new WeakReference(data);
    }

    private static void Collect()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void ShareBuffer_NumpyAsarray_WrapsWithoutCopying()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        if (!HasNumpy(py))
        {
            return; // numpy is only installed for the default runtime; memoryview covers the protocol above
        }
        var data = new double[] { 1, 2, 3, 4, 5, 6 };
        using var exporter = py.ShareBuffer<double>(data, rows: 2, columns: 3);
        Assert.Equal("(2, 3) float64 False 115.0", Run(py, exporter, """
            import numpy as np
            a = np.asarray(exp)
            a[1, 2] = 100.0
            result = f'{a.shape} {a.dtype} {a.flags.owndata} {a.sum()}'
            """));
        Assert.Equal(100, data[5]);
        var ints = new long[] { 7, 8 };
        using var intExporter = py.ShareBuffer<long>(ints, readOnly: true);
        Assert.Equal("int64 False 15", Run(py, intExporter, "import numpy as np\na = np.asarray(exp)\nresult = f'{a.dtype} {a.flags.writeable} {a.sum()}'"));
    }

    [Fact]
    public void ShareBuffer_ShapeMismatch_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => _runtime.Attach(py => py.ShareBuffer<double>(new double[5], rows: 2, columns: 3).Dispose()));
        Assert.Contains("2 × 3", error.Message, StringComparison.Ordinal);
    }
}
