using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;
using Sidewinder.Interop.Native;

namespace Sidewinder.Benchmarks;

/// <summary>Attach/detach and <c>Detach(Action)</c> against the raw <c>PyEval_RestoreThread</c> /
/// <c>PyEval_SaveThread</c> pair on the same thread and thread state (issue 17's targets: attach + detach ≤ 1.2× the
/// raw pair, <c>Detach(Action)</c> allocation-free and ≤ the raw pair + 20%).</summary>
/// <remarks>Each benchmark does <see cref="Batch"/> round trips per invocation so the figure is per round trip, not
/// BenchmarkDotNet's call overhead.</remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class AttachDetachBenchmarks
{
    private const int Batch = 1000;
    private static readonly Action Nothing = static () => { };
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private nint _state;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        // BenchmarkDotNet runs the setup and the benchmarks on one thread: give it a long-lived thread state, as a
        // worker has, and keep its pointer for the raw pair.
        _threadState = _runtime.CreateThreadState();
        _state = ThreadAttachment.Current.OwnedThreadState;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "raw PyEval_RestoreThread + PyEval_SaveThread")]
    public void RawRestoreSave()
    {
        var state = _state;
        for (var i = 0; i < Batch; i++)
        {
            State.PyEval_RestoreThread(state);
            state = State.PyEval_SaveThread();
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "attach + detach (AttachScope)")]
    public void AttachDetach()
    {
        for (var i = 0; i < Batch; i++)
        {
            using var scope = _runtime.Attach();
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "raw PyEval_SaveThread + PyEval_RestoreThread, attached")]
    public void RawSaveRestore()
    {
        using var scope = _runtime.Attach();
        for (var i = 0; i < Batch; i++)
        {
            var saved = State.PyEval_SaveThread();
            State.PyEval_RestoreThread(saved);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "py.Detach(Action) of a cached no-op, attached")]
    public void DetachAction()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        for (var i = 0; i < Batch; i++)
        {
            py.Detach(Nothing);
        }
    }
}
