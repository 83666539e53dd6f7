using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Benchmarks;

/// <summary>Attach from a thread without its own thread state: the PyGILState_Ensure/Release path,
/// which creates and destroys a thread state every time. Contrast with InteropBenchmarks.AttachDetach.</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class GilStateBenchmarks
{
    private PythonRuntime _runtime = null!;

    [GlobalSetup]
    public void Setup() => _runtime = PythonRuntime.Start();

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Description = "attach + detach (no thread state: PyGILState)")]
    public void AttachDetachWithoutThreadState()
    {
        using var scope = _runtime.Attach();
    }
}
