using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Sidewinder.Interop;
using Sidewinder.Workers.Execution;

namespace Sidewinder.Workers.Benchmarks;

/// <summary>What the pool adds to one trivial job: the same work run directly on an attached thread with its own
/// thread state, versus submitted to a one-worker pool and awaited (the caller blocks, as a benchmark must).</summary>
/// <remarks>
/// Two jobs, each with its own baseline. <c>eval</c> is <c>1 + 1</c> (fresh globals, evaluate, JSON; the expression is
/// compiled once, as the pool's code cache does for a repeated expression).
/// <c>call</c> is <c>operator.add(1, 1)</c> with JSON arguments: no compilation, whose cost on the free-threaded build
/// varies too much from one operation to the next to see a few microseconds of overhead under it.
/// <see cref="PoolCodeOnAttachedThread"/> is the pool's own per-job Python work (capture begin and end, the runner)
/// without the two thread hand-offs.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class JobOverheadBenchmarks
{
    private const string Expression = "1 + 1";
    private readonly EvalJob _job = new(Expression);
    private readonly List<PythonLogRecord> _records = [];
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private WorkerPool _pool = null!;
    private CallJob _callJob = null!;
    private JsonElement _one;
    private PyOwned _add = null!;
    private PyCode _code = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        _threadState = _runtime.CreateThreadState();
        _pool = new WorkerPool(_runtime, new WorkerPoolOptions { WorkerCount = 1 });
        using (var document = JsonDocument.Parse("1"))
        {
            _one = document.RootElement.Clone();
        }
        _callJob = new CallJob("operator", "add") { Args = [_one, _one] };
        using var scope = _runtime.Attach();
        using var module = scope.Python.Import("operator");
        using var add = module.GetAttr("add");
        _add = add.ToOwned();
        // The pool keeps the compiled code of repeated expressions, so the baseline evaluates compiled code too.
        _code = scope.Python.Compile(Expression, "<eval>", CompileMode.Eval);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        using (_runtime.Attach())
        {
            _add.Dispose();
            _code.Dispose();
        }
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("eval")]
    public byte[] DirectOnAttachedThread()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var globals = py.NewGlobals();
        using var value = py.Evaluate(_code, globals);
        return value.ToJsonUtf8();
    }

    [Benchmark, BenchmarkCategory("eval")]
    public string PoolCodeOnAttachedThread()
    {
        var item = new JobWorkItem(_job, "bench", TimeSpan.FromSeconds(30), default);
        using var scope = _runtime.Attach();
        var py = scope.Python;
        _ = _pool.Shared.Runner.Run(py, item);
        return _pool.Shared.Host.End(py, _records, _records, out _, out _).Stdout;
    }

    [Benchmark, BenchmarkCategory("eval")]
    public JobResult ThroughPool() => _pool.SubmitAsync(_job).GetAwaiter().GetResult();

    [Benchmark(Baseline = true), BenchmarkCategory("call")]
    public byte[] DirectCallOnAttachedThread()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var add = _add.Bind(py);
        using var a = py.FromJson(_one);
        using var b = py.FromJson(_one);
        using var value = add.Call(a, b);
        return value.ToJsonUtf8();
    }

    [Benchmark, BenchmarkCategory("call")]
    public JobResult ThroughPoolCall() => _pool.SubmitAsync(_callJob).GetAwaiter().GetResult();
}
