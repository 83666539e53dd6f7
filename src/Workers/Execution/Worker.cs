using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sidewinder.Interop;
using Sidewinder.Workers.Diagnostics;

namespace Sidewinder.Workers.Execution;

/// <summary>One dedicated worker thread with its own <see cref="PythonThreadState"/> for its whole life.</summary>
/// <remarks>
/// <para>
/// The thread is attached only while it runs a job: it waits for work detached, so on a free-threaded build an
/// idle worker never holds up a stop-the-world pause, and on a GIL build it does not hold the GIL.
/// </para>
/// <para>
/// <see cref="Gate"/> orders the interrupter against the end of a job: the interrupter raises the deadline
/// exception only while holding the gate and only if the job is still <see cref="Current"/>; the worker clears
/// <see cref="Current"/> under the gate and then cancels any interrupt still pending, so a late interrupt can
/// never fire in the worker's next job. Every .NET lock here is taken while detached: a thread blocked on a lock
/// while attached would stall a free-threaded build's stop-the-world pauses (and deadlock with the lock's holder).
/// </para>
/// </remarks>
internal sealed class Worker
{
    private readonly WorkerPool _pool;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PythonLogRecord> _records = [];
    private readonly List<PythonLogRecord> _orphans = [];
    private readonly IdleWorkers.Parker _parker = new();
    private JobWorkItem? _current;

    public Worker(WorkerPool pool, int number, int stackSize)
    {
        _pool = pool;
        Name = "python-worker-" + number;
        _thread = new Thread(Main, stackSize) { IsBackground = true, Name = Name };
    }

    public string Name { get; }

    public Lock Gate { get; } = new();

    /// <summary>The job running now, or null.</summary>
    public JobWorkItem? Current => Volatile.Read(ref _current);

    /// <summary>This thread's state; valid from start-up until the thread exits.</summary>
    public PythonThreadState? ThreadState { get; private set; }

    /// <summary>Set under <see cref="Gate"/> by the interrupter before it raises the deadline exception in this thread;
    /// read and reset under the gate by the worker when the job ends.</summary>
    public bool InterruptRaised { get; set; }

    private bool _interruptRaised;

    /// <summary>Set by the watchdog when the worker is stuck past its grace period.</summary>
    public volatile bool Quarantined;

    public long QuarantinedAt;

    /// <summary>Completes when the thread has exited.</summary>
    public Task Exited => _exited.Task;

    public void Start(Action<Exception?> started)
    {
        _startedCallback = started;
        _thread.Start();
    }

    private Action<Exception?>? _startedCallback;

    private void Main()
    {
        var runtime = _pool.Runtime;
        try
        {
            using var threadState = runtime.CreateThreadState();
            ThreadState = threadState;
            try
            {
                var shared = _pool.EnsureHost(); // shared sessions' jobs run there with either isolation
                _own = _pool.Isolation == WorkerIsolation.Interpreter ? _pool.CreateOwnContext() : null;
                _default = _own ?? shared;
            }
#pragma warning disable CA1031 // reported to the pool's constructor
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _startedCallback!(ex);
                return;
            }
            _startedCallback!(null);
            WorkerPoolLog.WorkerStarted(_pool.Logger, Name);
            var retire = false;
            while (!retire && _pool.Idle.TryTake(_parker, out var item))
            {
                retire = !Execute(item);
            }
            if (retire)
            {
                _pool.OnRetired(this);
            }
            if (_own is { } own)
            {
                EndInterpreter(own, "worker " + Name);
            }
            WorkerPoolLog.WorkerStopped(_pool.Logger, Name);
        }
#pragma warning disable CA1031 // the last line of defence of a dedicated thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerPoolLog.WorkerFailed(_pool.Logger, Name, ex);
            _pool.OnFailed(this);
        }
        finally
        {
            ThreadState = null;
            _exited.TrySetResult();
        }
    }

    private InterpreterContext? _own;
    private InterpreterContext _default = null!;

    /// <summary>Ends a worker's or a session's own sub-interpreter on this (detached) thread. One that cannot end within
    /// <see cref="WorkerPoolOptions.ShutdownGracePeriod"/> (a thread a job started still runs) is left to the runtime,
    /// which then does not finalise.</summary>
    private void EndInterpreter(InterpreterContext own, string owner)
    {
        _pool.Watchdog.Forget(own.Interpreter); // its interrupter thread, if a deadline started one, ends
        if (!own.Interpreter.End(_pool.Options.ShutdownGracePeriod))
        {
            WorkerPoolLog.InterpreterNotEnded(_pool.Logger, Name, own.Interpreter.Id, owner);
        }
    }

    /// <summary>The job's context: the worker's default, the main interpreter's for a shared session, or an isolated
    /// session's own, which its first job makes here. False when that could not be made: the job has then failed with
    /// the reason.</summary>
    private bool TryGetContext(JobWorkItem item, out InterpreterContext context)
    {
        if (item.Job.Session is not { } session)
        {
            context = _default;
            return true;
        }
        if (session.Isolation != WorkerIsolation.Interpreter || session.Context is not null || item.Job is ReleaseSessionJob)
        {
            context = session.Context ?? _pool.Shared; // a release before any job made the interpreter has nothing to free
            return true;
        }
        try
        {
            context = session.Context = _pool.CreateOwnContext();
            return true;
        }
#pragma warning disable CA1031 // the job reports it; the worker keeps its place
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Complete(item, Build(item, new JobRunOutcome(JobOutcome.Error, Error: JobErrors.Of(JobErrorTypes.Internal,
                $"The session's sub-interpreter could not be created ({ex.GetType().Name}: {ex.Message}).")), CapturedOutput.Empty));
            context = null!;
            return false;
        }
    }

    /// <summary>Runs one job; false when the watchdog abandoned it (this thread is quarantined and must retire).</summary>
    private bool Execute(JobWorkItem item)
    {
        if (_pool.IsClosing)
        {
            _pool.CancelQueued(item, JobErrorTypes.ShuttingDown, "The worker pool shut down before the job started.");
            return true;
        }
        if (!item.TryStart())
        {
            return true; // cancelled while queued: skip, never run
        }
        if (!TryGetContext(item, out var context))
        {
            return true;
        }
        item.Context = context;
        lock (Gate)
        {
            _current = item;
        }
        _pool.Watchdog.Track(item);
        _pool.BusyChanged(+1);
        TraceQueueWait(item);
        var activity = WorkerPoolMetrics.ActivitySource.StartActivity("python.execute", ActivityKind.Internal, item.Parent);
        activity?.SetTag("sidewinder.job.id", item.Id);
        activity?.SetTag("sidewinder.job.kind", item.Job.Kind);
        activity?.SetTag("sidewinder.worker", Name);
        if (activity is not null && item.Job.Session is { } session)
        {
            activity.SetTag("sidewinder.session.id", session.Id);
        }

        JobRunOutcome outcome;
        var output = CapturedOutput.Empty;
        var dropped = 0;
        string? restored = null;
        _records.Clear();
        using (var scope = context.Interpreter.Attach())
        {
            var py = scope.Python;
            outcome = context.Runner.Run(py, item);
            ClearCurrent(py, context.Host);
            try
            {
                output = context.Host.End(py, _records, _orphans, out dropped, out restored);
            }
            catch (PythonException ex) when (ex.PythonType == PythonHost.DeadlineExceededType)
            {
                // Only possible if an interrupt slipped past AbsorbInterrupt; the job is over either way.
                outcome = JobRunner.Interrupted(item);
            }
#pragma warning disable CA1031 // the job keeps its outcome and the worker its place; only the output is lost
            catch (Exception ex)
#pragma warning restore CA1031
            {
                WorkerPoolLog.JobEndFailed(_pool.Logger, item.Id, Name, ex);
            }
            context.Host.EndEvents(item);
            if (_pool.Runtime.Info.IsFreeThreaded)
            {
                ObserveGil(py, context.Host);
            }
        }
        if (restored is not null)
        {
            WorkerPoolLog.StateRestored(_pool.Logger, item.Id, restored);
        }
        _pool.BusyChanged(-1);

        var result = Build(item, outcome, output);
        activity?.SetTag("sidewinder.job.outcome", WorkerPoolMetrics.OutcomeTag(result.Outcome));
        if (result.Outcome != JobOutcome.Ok)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Error?.Type);
        }
        activity?.Dispose(); // ends the span before the caller sees the result
        ForwardRecords(_records, item.Id);
        ForwardRecords(_orphans, null);
        if (dropped > 0)
        {
            WorkerPoolLog.RecordsDropped(_pool.Logger, item.Id, dropped);
        }
        var completed = Complete(item, result);
        if (!completed)
        {
            item.Job.Session?.Unstick(); // back from native code and detached: the session may run its next job
        }
        else
        {
            if (item.Job is ReleaseSessionJob { Session: { Context: { } own } released })
            {
                released.Context = null;
                EndInterpreter(own, "session " + released.Id);
            }
        }
        return completed;
    }

    /// <summary>Hands the caller its result and counts it; false when the watchdog had already answered (abandoned job).</summary>
    private bool Complete(JobWorkItem item, JobResult result)
    {
        if (!item.TryComplete(result))
        {
            return false;
        }
        _pool.Finished(result, item.Job.Kind, Name);
        return true;
    }

    /// <summary>Publishes whether the GIL is on now (a job may have imported an extension that turned it on).</summary>
    private void ObserveGil(Python py, PythonHost host)
    {
        try
        {
            _pool.GilEnabled = host.IsGilEnabled(py);
        }
        catch (PythonException)
        {
            // a job replaced sys._is_gil_enabled's module state; the last observation stands
        }
    }

    /// <summary>Ends the job's time as <see cref="Current"/> and cancels an interrupt aimed at it that has not fired.</summary>
    /// <remarks>The gate is tried without waiting while attached; only if the interrupter holds it (it may be inside
    /// <c>PyThreadState_SetAsyncExc</c>, which on a free-threaded build stops the world and so waits for every attached
    /// thread) does the worker detach to wait for it. After this no interrupt can be raised for the job, so one that was
    /// raised (<see cref="InterruptRaised"/>) and may still be pending is let fire in the host and discarded; jobs that
    /// were never interrupted skip that call.</remarks>
    private void ClearCurrent(Python py, PythonHost host)
    {
        if (Gate.TryEnter())
        {
            ClearCurrentLocked();
            Gate.Exit();
        }
        else
        {
            py.Detach(() =>
            {
                lock (Gate)
                {
                    ClearCurrentLocked();
                }
            });
        }
        if (_interruptRaised)
        {
            _interruptRaised = false;
            host.AbsorbInterrupt(py);
        }
    }

    private void ClearCurrentLocked()
    {
        _current = null;
        _interruptRaised = InterruptRaised;
        InterruptRaised = false;
    }

    internal static JobResult Build(JobWorkItem item, JobRunOutcome outcome, CapturedOutput output) => new()
    {
        JobId = item.Id,
        Outcome = outcome.Outcome,
        ValueJson = outcome.Value is { } value ? (ReadOnlyMemory<byte>?)value : null,
        ValueType = outcome.ValueType,
        Variables = outcome.Variables,
        Error = outcome.Error,
        Stdout = output.Stdout,
        StdoutTruncated = output.StdoutTruncated,
        Stderr = output.Stderr,
        StderrTruncated = output.StderrTruncated,
        Outputs = output.Outputs ?? [],
        OutputsTruncated = output.OutputsTruncated,
        QueueWait = item.QueueWait,
        Execution = item.Elapsed,
    };

    private static void TraceQueueWait(JobWorkItem item)
    {
        if (!WorkerPoolMetrics.ActivitySource.HasListeners())
        {
            return;
        }
        var now = DateTimeOffset.UtcNow;
        using var wait = WorkerPoolMetrics.ActivitySource.StartActivity("python.queue", ActivityKind.Internal, item.Parent, startTime: now - item.QueueWait);
        wait?.SetTag("sidewinder.job.id", item.Id);
        wait?.SetEndTime(now.UtcDateTime);
    }

    private void ForwardRecords(List<PythonLogRecord> records, string? jobId)
    {
        var logger = _pool.PythonLogger;
        foreach (var record in records)
        {
            var level = PythonLog.Level(record.Level);
            if (!logger.IsEnabled(level))
            {
                continue;
            }
            if (record.Details is null)
            {
                PythonLog.Record(logger, level, record.Logger, record.Message, jobId);
            }
            else
            {
                PythonLog.RecordWithTraceback(logger, level, record.Logger, record.Message, jobId, record.Details);
            }
        }
        records.Clear();
    }
}
