using Microsoft.Extensions.Logging;

namespace Sidewinder.Workers.Diagnostics;

/// <summary>Source-generated log messages of the worker pool. Never logs job code or results above Debug.</summary>
internal static partial class WorkerPoolLog
{
    [LoggerMessage(1, LogLevel.Information, "Worker pool started: {Workers} workers, queue capacity {QueueCapacity}, Python {PythonVersion} (parallel: {Parallel}).")]
    public static partial void PoolStarted(ILogger logger, int workers, int queueCapacity, string pythonVersion, bool parallel);

    [LoggerMessage(2, LogLevel.Debug, "Worker {Worker} started.")]
    public static partial void WorkerStarted(ILogger logger, string worker);

    [LoggerMessage(3, LogLevel.Debug, "Worker {Worker} stopped.")]
    public static partial void WorkerStopped(ILogger logger, string worker);

    [LoggerMessage(4, LogLevel.Warning, "Worker {Worker} is stuck in native code in job {JobId} past its deadline; quarantined ({Quarantined} quarantined).")]
    public static partial void WorkerQuarantined(ILogger logger, string worker, string jobId, int quarantined);

    [LoggerMessage(5, LogLevel.Information, "Quarantined worker {Worker} returned from native code after {Stuck} and retired.")]
    public static partial void WorkerRetired(ILogger logger, string worker, TimeSpan stuck);

    [LoggerMessage(18, LogLevel.Warning, "Replacement worker postponed until the {Quarantined} stuck worker(s) return: on a free-threaded build a new sub-interpreter is created with every thread stopped, which would wait for a stuck thread; the pool runs with {Workers} workers meanwhile.")]
    public static partial void ReplacementPostponed(ILogger logger, int quarantined, int workers);

    [LoggerMessage(6, LogLevel.Error, "Quarantine limit of {Limit} stuck workers reached; no replacement started, the pool runs with {Workers} workers.")]
    public static partial void QuarantineLimitReached(ILogger logger, int limit, int workers);

    [LoggerMessage(7, LogLevel.Warning, "Slow {Kind} job {JobId}: {Elapsed} on worker {Worker} (outcome {Outcome}).")]
    public static partial void SlowJob(ILogger logger, string kind, string jobId, TimeSpan elapsed, string worker, JobOutcome outcome);

    [LoggerMessage(8, LogLevel.Warning, "Job {JobId} rejected: {Reason}.")]
    public static partial void JobRejected(ILogger logger, string jobId, string reason);

    [LoggerMessage(9, LogLevel.Debug, "Job {JobId} ({Kind}) finished on {Worker}: {Outcome} after {Elapsed}, queued {QueueWait}.")]
    public static partial void JobFinished(ILogger logger, string jobId, string kind, string worker, JobOutcome outcome, TimeSpan elapsed, TimeSpan queueWait);

    [LoggerMessage(10, LogLevel.Information, "Worker pool shutting down: {Running} running and {Queued} queued jobs.")]
    public static partial void ShuttingDown(ILogger logger, int running, int queued);

    [LoggerMessage(11, LogLevel.Warning, "Worker pool shutdown grace period ended with {Running} jobs still running; they were interrupted.")]
    public static partial void ShutdownInterrupted(ILogger logger, int running);

    [LoggerMessage(12, LogLevel.Error, "Worker {Worker} failed unexpectedly.")]
    public static partial void WorkerFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "Job {JobId} emitted {Dropped} more Python log records than the per-job limit; they were dropped.")]
    public static partial void RecordsDropped(ILogger logger, string jobId, int dropped);

    [LoggerMessage(15, LogLevel.Error, "The host's end of job {JobId} on {Worker} failed; the job keeps its outcome, its output is lost.")]
    public static partial void JobEndFailed(ILogger logger, string jobId, string worker, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "Job {JobId} changed process-wide Python state that later jobs share; restored: {Restored}.")]
    public static partial void StateRestored(ILogger logger, string jobId, string restored);

    [LoggerMessage(17, LogLevel.Warning, "Worker {Worker} could not end the sub-interpreter {Interpreter} of {Owner}: a thread one of its jobs started still runs. It stays alive, and the runtime will not finalise at shutdown.")]
    public static partial void InterpreterNotEnded(ILogger logger, string worker, long interpreter, string owner);

    [LoggerMessage(14, LogLevel.Warning, "This free-threaded Python has no _testinternalcapi module, so the code objects, functions and classes " +
        "each job creates are immortal and never freed (CPython 3.13, gh-117783): memory grows with every job. Use a build with " +
        "test modules (Sidewinder's scripts/provision-python.sh and Dockerfile keep _testinternalcapi).")]
    public static partial void ImmortalCodeObjects(ILogger logger);
}

/// <summary>Python <c>logging</c> records forwarded to .NET (category <c>Sidewinder.Workers.Python</c>), like pyo3-log.</summary>
internal static partial class PythonLog
{
    [LoggerMessage(EventId = 100, Message = "[{PythonLogger}] {Message} (job {JobId})")]
    public static partial void Record(ILogger logger, LogLevel level, string pythonLogger, string message, string? jobId);

    [LoggerMessage(EventId = 101, Message = "[{PythonLogger}] {Message} (job {JobId})\n{PythonTraceback}")]
    public static partial void RecordWithTraceback(ILogger logger, LogLevel level, string pythonLogger, string message, string? jobId, string pythonTraceback);

    public static LogLevel Level(int pythonLevel) => pythonLevel switch
    {
        >= 50 => LogLevel.Critical,
        >= 40 => LogLevel.Error,
        >= 30 => LogLevel.Warning,
        >= 20 => LogLevel.Information,
        >= 10 => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}
