using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Benchmarks;

/// <summary>The issue-16 operations: bulk conversions, Python calling .NET, buffers. Each new path sits beside the
/// per-item way it replaces.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class TypedInteropBenchmarks
{
    private const int Items = 10_000;
    private const int Calls = 1000;
    private readonly long[] _longs = Enumerable.Range(0, Items).Select(i => (long)i).ToArray();
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private PyOwned _floats = null!;
    private PyOwned _floatArray = null!;
    private PyOwned _globals = null!;
    private PyCode _callDotNet = null!;
    private PyCode _callPython = null!;
    private PyCode _emptyLoop = null!;
    private PyCode _rangeList = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        _threadState = _runtime.CreateThreadState();
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var floats = py.Eval($"[i / 7 for i in range({Items})]");
        _floats = floats.ToOwned();
        using var floatArray = py.Eval($"__import__('array').array('d', [i / 7 for i in range({Items})])");
        _floatArray = floatArray.ToOwned();
        using var module = py.NewModule("bench_dotnet");
        module.AddFunction("inc", (long x) => x + 1);
        module.AddFunction("noop", (p, _) => p.None);
        py.RegisterModule(module);
        using var globals = py.NewGlobals();
        using var setup = py.Compile("import bench_dotnet\ninc = bench_dotnet.inc\nnoop = bench_dotnet.noop\npy_inc = lambda x: x + 1", "<setup>", CompileMode.Exec);
        py.Execute(setup, globals);
        _globals = globals.ToOwned();
        _callDotNet = py.Compile($"for i in range({Calls}): inc(i)", "<bench>", CompileMode.Exec);
        _callPython = py.Compile($"for i in range({Calls}): py_inc(i)", "<bench>", CompileMode.Exec);
        _emptyLoop = py.Compile($"for i in range({Calls}): pass", "<bench>", CompileMode.Exec);
        _rangeList = py.Compile($"list(range({Items}))", "<bench>", CompileMode.Eval);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _floats.Dispose();
        _floatArray.Dispose();
        _globals.Dispose();
        _callDotNet.Dispose();
        _callPython.Dispose();
        _emptyLoop.Dispose();
        _rangeList.Dispose();
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Description = "10k ints -> list, per item (py.Int + Append)")]
    public long BuildListPerItem()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var list = py.NewList();
        foreach (var value in _longs)
        {
            using var item = py.Int(value);
            list.Append(item);
        }
        return list.Length();
    }

    [Benchmark(Description = "10k ints -> list, py.List(span)")]
    public long BuildListBulk()
    {
        using var scope = _runtime.Attach();
        using var list = scope.Python.List(_longs);
        return list.Count;
    }

    [Benchmark(Description = "10k ints -> list in Python itself: list(range(10000)) (calibration)")]
    public long BuildListInPython()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = _globals.Bind(py);
        using var list = py.Evaluate(_rangeList, globals);
        return list.Length();
    }

    [Benchmark(Description = "10k ints -> list, py.ToPython(long[])")]
    public long BuildListGeneric()
    {
        using var scope = _runtime.Attach();
        using var list = scope.Python.ToPython(_longs);
        return list.Length();
    }

    [Benchmark(Description = "10k floats list -> double[], per item (Iterate + GetDouble)")]
    public double ReadFloatsPerItem()
    {
        using var scope = _runtime.Attach();
        using var list = _floats.Bind(scope.Python);
        var result = new double[Items];
        var i = 0;
        foreach (var item in list.Iterate())
        {
            result[i++] = item.GetDouble();
        }
        return result[^1];
    }

    [Benchmark(Description = "10k floats list -> double[], ToDoubleArray")]
    public double ReadFloatsBulk()
    {
        using var scope = _runtime.Attach();
        using var list = _floats.Bind(scope.Python);
        return list.ToDoubleArray()[^1];
    }

    [Benchmark(Description = "10k floats array.array -> sum over PyBuffer span (zero-copy)")]
    public double ReadFloatsBuffer()
    {
        using var scope = _runtime.Attach();
        using var array = _floatArray.Bind(scope.Python);
        using var buffer = PyBuffer.Get(array);
        var sum = 0.0;
        foreach (var value in buffer.AsSpan<double>())
        {
            sum += value;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "Python loop calling .NET inc(i) (typed long -> long)")]
    public void PythonCallsDotNet() => RunLoop(_callDotNet);

    [Benchmark(OperationsPerInvoke = Calls, Description = "Python loop calling Python lambda x: x + 1 (baseline)")]
    public void PythonCallsPython() => RunLoop(_callPython);

    [Benchmark(OperationsPerInvoke = Calls, Description = "Python empty loop (loop overhead)")]
    public void PythonEmptyLoop() => RunLoop(_emptyLoop);

    private void RunLoop(PyCode code)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = _globals.Bind(py);
        py.Execute(code, globals);
    }
}
