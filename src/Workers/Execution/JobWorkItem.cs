using System.Diagnostics;

namespace Sidewinder.Workers.Execution;

/// <summary>A submitted job on its way through the queue and a worker.</summary>
/// <remarks>
/// <para>
/// Exactly one party completes the job, decided by a compare-and-swap on <see cref="_state"/>:
/// the worker (Running → Completed), the caller's cancellation or shutdown while queued (Queued → Cancelled),
/// or the watchdog when the worker is stuck past its grace period (Running → Abandoned).
/// A job that is no longer Queued when a worker dequeues it is skipped, not run.
/// </para>
/// <para>
/// The completion source runs continuations asynchronously so that the caller's continuation never runs
/// on a worker or watchdog thread.
/// </para>
/// </remarks>
internal sealed class JobWorkItem
{
    private const int Queued = 0, Running = 1, Completed = 2, Cancelled = 3, Abandoned = 4;

    private readonly TaskCompletionSource<JobResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private long _interruptDeliveredAt;
    private CancellationTokenRegistration _registration;

    public JobWorkItem(PythonJob job, string id, TimeSpan timeout, ActivityContext parent)
    {
        Job = job;
        Id = id;
        Timeout = timeout;
        Parent = parent;
        EnqueuedAt = Stopwatch.GetTimestamp();
    }

    public PythonJob Job { get; }

    public string Id { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The caller's activity at submission, parent of the queue-wait and execution spans.</summary>
    public ActivityContext Parent { get; }

    public long EnqueuedAt { get; }

    public long StartedAt { get; private set; }

    /// <summary>Stopwatch timestamp at which the watchdog interrupts the job.</summary>
    public long Deadline { get; private set; } = long.MaxValue;

    /// <summary>Set by the watchdog once it asked for an interrupt; then <see cref="GraceDeadline"/> applies.</summary>
    public bool InterruptRequested { get; set; }

    public long GraceDeadline { get; set; }

    /// <summary>When the interrupter first raised the exception in the job (0 until then): the grace period runs from here.</summary>
    public long InterruptDeliveredAt
    {
        get => Volatile.Read(ref _interruptDeliveredAt);
        set => Volatile.Write(ref _interruptDeliveredAt, value);
    }

    /// <summary>The caller cancelled while the job was running: interrupt it and report Cancelled rather than Timeout.</summary>
    public volatile bool CancelRequested;

    /// <summary>Output captured by the interrupter at the deadline, for a job that never returns.</summary>
    public volatile CapturedOutput? Snapshot;

    public Task<JobResult> Task => _completion.Task;

    /// <summary>The token under which the job's <see cref="PythonJob.Events"/> are routed while it runs (0: none).</summary>
    public long EventToken { get; set; }

    /// <summary>The interpreter context the job runs in; set by its worker before the job becomes current.</summary>
    public InterpreterContext? Context { get; set; }

    public bool IsRunning => Volatile.Read(ref _state) == Running;

    public TimeSpan QueueWait => StartedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(EnqueuedAt, StartedAt);

    public TimeSpan Elapsed => StartedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(StartedAt);

    public void RegisterCancellation(Action<JobWorkItem> onCancel, CancellationToken token)
    {
        if (token.CanBeCanceled)
        {
            _registration = token.UnsafeRegister(static (state, _) =>
            {
                var (item, callback) = ((JobWorkItem, Action<JobWorkItem>))state!;
                callback(item);
            }, (this, onCancel));
        }
    }

    /// <summary>Queued → Running; false if it was cancelled meanwhile (skip it).</summary>
    public bool TryStart()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
        {
            return false;
        }
        StartedAt = Stopwatch.GetTimestamp();
        Deadline = StartedAt + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        return true;
    }

    /// <summary>Queued → Cancelled, completing with <paramref name="result"/>.</summary>
    public bool TryCancelQueued(Func<JobWorkItem, JobResult> result) => TryFinish(Queued, Cancelled, result);

    /// <summary>Running → Completed (the worker's own result).</summary>
    public bool TryComplete(JobResult result)
    {
        if (Interlocked.CompareExchange(ref _state, Completed, Running) != Running)
        {
            return false;
        }
        _registration.Dispose();
        _completion.TrySetResult(result);
        return true;
    }

    /// <summary>Running → Abandoned (the watchdog gives up on a stuck worker).</summary>
    public bool TryAbandon(Func<JobWorkItem, JobResult> result) => TryFinish(Running, Abandoned, result);

    /// <summary>Completes a job that never entered the queue (rejected).</summary>
    public void Reject(JobResult result)
    {
        Volatile.Write(ref _state, Cancelled);
        _completion.TrySetResult(result);
    }

    private bool TryFinish(int from, int to, Func<JobWorkItem, JobResult> result)
    {
        if (Interlocked.CompareExchange(ref _state, to, from) != from)
        {
            return false;
        }
        _registration.Dispose();
        _completion.TrySetResult(result(this));
        return true;
    }
}

/// <summary>Captured stdout/stderr of one job.</summary>
internal sealed record CapturedOutput(string Stdout, bool StdoutTruncated, string Stderr, bool StderrTruncated,
    IReadOnlyList<RichOutput>? Outputs = null, bool OutputsTruncated = false)
{
    public static CapturedOutput Empty { get; } = new("", false, "", false);
}
