using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Benchmarks;

/// <summary>Throughput of a CPU-bound pure-Python job with 1 versus 2 workers: <see cref="Jobs"/> jobs submitted
/// at once and awaited. On a free-threaded build the workers run in parallel; on a GIL build they take turns.</summary>
public class ThroughputBenchmarks
{
    public const int Jobs = 16;
    private readonly RunJob _job = new("total = 0\nfor i in range(200_000):\n    total += i * i\ntotal");
    private PythonRuntime _runtime = null!;
    private WorkerPool _pool = null!;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        _pool = new WorkerPool(_runtime, new WorkerPoolOptions { WorkerCount = Workers });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Jobs)]
    public async Task CpuBoundJobs()
    {
        var tasks = new Task<JobResult>[Jobs];
        for (var i = 0; i < Jobs; i++)
        {
            tasks[i] = _pool.SubmitAsync(_job);
        }
        foreach (var result in await Task.WhenAll(tasks))
        {
            if (result.Outcome != JobOutcome.Ok)
            {
                throw new InvalidOperationException("Benchmark job failed: " + result.Error);
            }
        }
    }
}
