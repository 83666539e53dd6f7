using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Benchmarks;

/// <summary>Costs of the Interop primitives. Loops inside one attach use OperationsPerInvoke so the
/// reported time is per operation.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class InteropBenchmarks
{
    private const int Batch = 1000;
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private PyOwned _identity = null!;
    private PyCode _onePlusOne = null!;
    private PyOwned _globals = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        // Benchmarks run on this thread: give it a long-lived thread state, as a worker has.
        _threadState = _runtime.CreateThreadState();
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var identity = py.Eval("lambda x: x");
        _identity = identity.ToOwned();
        _onePlusOne = py.Compile("1+1", "<bench>", CompileMode.Eval);
        using var globals = py.NewGlobals();
        _globals = globals.ToOwned();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _identity.Dispose();
        _onePlusOne.Dispose();
        _globals.Dispose();
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Description = "attach + detach (own thread state)")]
    public void AttachDetach()
    {
        using var scope = _runtime.Attach();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "call f(int) -> int, attached")]
    public long CallTrivial()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var f = _identity.Bind(py);
        long sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            using var arg = py.Int(i);
            using var result = f.Call(arg);
            sum += result.GetInt64();
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "eval '1+1' from source, attached")]
    public long EvalFromSource()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        long sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            using var result = py.Eval("1+1");
            sum += result.GetInt64();
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "eval '1+1' from cached code, attached")]
    public long EvalCached()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = _globals.Bind(py);
        long sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            using var result = py.Evaluate(_onePlusOne, globals);
            sum += result.GetInt64();
        }
        return sum;
    }
}
