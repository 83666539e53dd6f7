using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Benchmarks;

/// <summary>What the pool adds to one trivial job: the same eval (fresh globals, compile, evaluate, JSON) run
/// directly on an attached thread with its own thread state, versus submitted to the pool and awaited.</summary>
[MemoryDiagnoser]
public class JobOverheadBenchmarks
{
    private const string Expression = "1 + 1";
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private WorkerPool _pool = null!;
    private readonly EvalJob _job = new(Expression);

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        _threadState = _runtime.CreateThreadState();
        _pool = new WorkerPool(_runtime, new WorkerPoolOptions { WorkerCount = 1 });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte[] DirectOnAttachedThread()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = py.NewGlobals();
        using var code = py.Compile(Expression, "<eval>", CompileMode.Eval);
        using var value = py.Evaluate(code, globals);
        return value.ToJsonUtf8();
    }

    [Benchmark]
    public JobResult ThroughPool() => _pool.SubmitAsync(_job).GetAwaiter().GetResult();
}
