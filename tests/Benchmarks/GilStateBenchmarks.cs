using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Benchmarks;

/// <summary>Attach from a thread without a <see cref="PythonThreadState"/> of its own, after Python code has run on
/// such a thread (as on any real thread that attaches more than once). Contrast with InteropBenchmarks.AttachDetach.</summary>
/// <remarks>Before the runtime kept a thread state per such thread, every attach went through
/// PyGILState_Ensure/Release, which creates and destroys a thread state; on 3.13t that cost hundreds of microseconds
/// once Python had run (see docs/performance.md).</remarks>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class GilStateBenchmarks
{
    private PythonRuntime _runtime = null!;
    private PyCode _code = null!;
    private PyOwned _globals = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        using var scope = _runtime.Attach();
        var py = scope.Python;
        _code = py.Compile("sum(range(50))", "<bench>", CompileMode.Eval);
        using var globals = py.NewGlobals();
        _globals = globals.ToOwned();
        py.Evaluate(_code, globals).Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _code.Dispose();
        _globals.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Description = "attach + detach (no PythonThreadState)")]
    public void AttachDetachWithoutThreadState()
    {
        using var scope = _runtime.Attach();
    }

    [Benchmark(Description = "attach + eval cached 'sum(range(50))' + detach (no PythonThreadState)")]
    public long AttachEvaluateWithoutThreadState()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = _globals.Bind(py);
        using var result = py.Evaluate(_code, globals);
        return result.GetInt64();
    }
}
