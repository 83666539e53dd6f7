using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Benchmarks;

/// <summary>The same primitives in the main interpreter and in a sub-interpreter with its own GIL (CPython 3.12+), and the
/// cost of making and ending a bare sub-interpreter. The benchmark thread keeps a thread state in each, as a worker does.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SubInterpreterBenchmarks
{
    private const int Batch = 1000;
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private PythonInterpreter _sub = null!;
    private PyOwned _mainIdentity = null!;
    private PyOwned _subIdentity = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        if (_runtime.Info.Version < new Version(3, 12))
        {
            throw new NotSupportedException("Sub-interpreters with their own GIL need CPython 3.12+; set SIDEWINDER_PYTHON=3.14.");
        }
        _threadState = _runtime.CreateThreadState();
        _mainIdentity = _runtime.MainInterpreter.Attach(py => { using var f = py.Eval("lambda x: x"); return f.ToOwned(); });
        _sub = _runtime.CreateInterpreter(new InterpreterOptions());
        _subIdentity = _sub.Attach(py => { using var f = py.Eval("lambda x: x"); return f.ToOwned(); });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sub.Attach(_ => _subIdentity.Dispose());
        _sub.End(TimeSpan.FromSeconds(10));
        _mainIdentity.Dispose();
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true, Description = "attach + detach, main interpreter")]
    public void AttachMain()
    {
        using var scope = _runtime.MainInterpreter.Attach();
    }

    [Benchmark(Description = "attach + detach, sub-interpreter")]
    public void AttachSub()
    {
        using var scope = _sub.Attach();
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "call f(int) -> int, main interpreter")]
    public long CallMain() => Calls(_runtime.MainInterpreter, _mainIdentity);

    [Benchmark(OperationsPerInvoke = Batch, Description = "call f(int) -> int, sub-interpreter")]
    public long CallSub() => Calls(_sub, _subIdentity);

    [Benchmark(Description = "create + end a bare sub-interpreter")]
    public void CreateAndEnd()
    {
        var interpreter = _runtime.CreateInterpreter(new InterpreterOptions());
        interpreter.End(TimeSpan.FromSeconds(10));
    }

    private static long Calls(PythonInterpreter interpreter, PyOwned identity)
    {
        using var scope = interpreter.Attach();
        var py = scope.Python;
        using var f = identity.Bind(py);
        long sum = 0;
        for (var i = 0; i < Batch; i++)
        {
            using var arg = py.Int(i);
            using var result = f.Call(arg);
            sum += result.GetInt64();
        }
        return sum;
    }
}
