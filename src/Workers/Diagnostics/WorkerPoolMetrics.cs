using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sidewinder.Workers.Diagnostics;

/// <summary>The pool's <see cref="Meter"/> and <see cref="ActivitySource"/>.</summary>
internal sealed class WorkerPoolMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _execution;
    private readonly Counter<long> _jobs;

    public WorkerPoolMetrics(IMeterFactory? meterFactory, Func<WorkerPoolStatus> status)
    {
        _meter = meterFactory?.Create(WorkerPool.MeterName) ?? new Meter(WorkerPool.MeterName);
        _meter.CreateObservableGauge("sidewinder.workers.queue.length", () => status().QueuedJobs, "{job}", "Jobs waiting for a worker.");
        _meter.CreateObservableGauge("sidewinder.workers.busy", () => status().BusyWorkers, "{worker}", "Workers running a job.");
        _meter.CreateObservableGauge("sidewinder.workers.count", () => status().Workers, "{worker}", "Live workers (quarantined ones excluded).");
        _meter.CreateObservableGauge("sidewinder.workers.quarantined", () => status().QuarantinedWorkers, "{worker}", "Worker threads stuck in native code past a deadline.");
        _queueWait = _meter.CreateHistogram<double>("sidewinder.workers.queue.wait", "s", "Time jobs waited for a worker.");
        _execution = _meter.CreateHistogram<double>("sidewinder.workers.execution", "s", "Time jobs ran on a worker.");
        _jobs = _meter.CreateCounter<long>("sidewinder.workers.jobs", "{job}", "Finished jobs by outcome (ok, error, timeout, cancelled, rejected).");
    }

    public static ActivitySource ActivitySource { get; } = new(WorkerPool.ActivitySourceName);

    public void Record(JobResult result, string kind)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", OutcomeTag(result.Outcome));
        var kindTag = new KeyValuePair<string, object?>("kind", kind);
        _jobs.Add(1, outcome, kindTag);
        if (result.Outcome != JobOutcome.Rejected)
        {
            _queueWait.Record(result.QueueWait.TotalSeconds, kindTag);
        }
        if (result.Execution > TimeSpan.Zero)
        {
            _execution.Record(result.Execution.TotalSeconds, outcome, kindTag);
        }
    }

    public static string OutcomeTag(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Ok => "ok",
        JobOutcome.Error => "error",
        JobOutcome.Timeout => "timeout",
        JobOutcome.Cancelled => "cancelled",
        _ => "rejected",
    };

    public void Dispose() => _meter.Dispose();
}
