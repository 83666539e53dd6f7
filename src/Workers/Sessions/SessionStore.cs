using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sidewinder.Workers.Diagnostics;

namespace Sidewinder.Workers.Sessions;

/// <summary>The sessions of one <see cref="WorkerPool"/>: create, find, run jobs in, interrupt and end them, with limits
/// and one reaper timer for every expiry. Usable without HTTP.</summary>
/// <remarks>
/// <para>
/// Sessions live in this process's memory only: disposing the store (or the process ending) ends them all and removes
/// their directories. Owners are opaque strings (the API key's name over HTTP); a session is found only by its owner.
/// </para>
/// <para>
/// Jobs of one session run one at a time, in order, on whichever worker is free: <see cref="SubmitAsync"/> hands the
/// next job to the pool when the previous one ended. Time in the session's queue counts against the job's deadline.
/// An interrupt cancels the running pool job, which is the same path a deadline takes (an asynchronous exception at
/// the next bytecode boundary, quarantine if stuck in C), and the session keeps its namespace.
/// </para>
/// </remarks>
public sealed class SessionStore : IDisposable
{
    private readonly WorkerPool _pool;
    private readonly PythonSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionMetrics _metrics;
    private readonly ConcurrentDictionary<string, PythonSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perOwner = new(StringComparer.Ordinal);
    private readonly Lock _countGate = new();
    private readonly ITimer _reaper;
    private readonly string _root;
    private readonly string _uploads;
    private int _disposed;

    /// <summary>Creates the store over a started pool and starts its reaper.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public SessionStore(WorkerPool pool, PythonSessionOptions? options = null, ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _options = options ?? new PythonSessionOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Sidewinder.Workers.Sessions");
        _root = _options.ResolvedFilesRoot;
        _uploads = Path.Combine(_root, ".uploads"); // same file system as the sessions, so an upload is renamed into place
        Directory.CreateDirectory(_uploads);
        _metrics = new SessionMetrics(meterFactory, () => _sessions.Count);
        _reaper = _time.CreateTimer(static state => ((SessionStore)state!).Reap(), this, _options.ReaperInterval, _options.ReaperInterval);
    }

    /// <summary>The store's limits.</summary>
    public PythonSessionOptions Options => _options;

    /// <summary>Sessions held now.</summary>
    public int Count => _sessions.Count;

    /// <summary>Creates a session for <paramref name="owner"/>, binding <paramref name="variables"/> in its namespace.</summary>
    /// <param name="owner">Who may use it (compared ordinally).</param>
    /// <param name="variables">Initial globals (JSON values); bound by a job on the session, so bad names or values are reported.</param>
    /// <param name="idleTimeout">Its idle timeout; null for the default, capped at <see cref="PythonSessionOptions.MaxIdleTimeout"/>.</param>
    /// <param name="isolation"><see cref="WorkerIsolation.Interpreter"/> gives the session a sub-interpreter of its own
    /// (CPython 3.12+, see <see cref="SupportsInterpreterIsolation"/>), made before this returns; the default runs it in the
    /// main interpreter.</param>
    /// <param name="cancellationToken">Cancels binding the variables (the session is then not kept).</param>
    public async Task<SessionCreation> CreateAsync(string owner, IReadOnlyDictionary<string, JsonElement>? variables = null,
        TimeSpan? idleTimeout = null, WorkerIsolation isolation = WorkerIsolation.Shared, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (Volatile.Read(ref _disposed) != 0 || _pool.IsClosing)
        {
            return new SessionCreation(null, SessionCreateFailure.ShuttingDown, "The service is shutting down; sessions cannot be created.");
        }
        if (isolation == WorkerIsolation.Interpreter && !SupportsInterpreterIsolation)
        {
            return new SessionCreation(null, SessionCreateFailure.IsolationUnavailable,
                $"Isolation 'interpreter' gives a session a sub-interpreter with its own GIL, which needs CPython 3.12 or later (PEP 684); this runtime is {_pool.Runtime.Info.Version.ToString(2)}. Use isolation 'shared', or run the service on 3.13 or 3.14 (SIDEWINDER_PYTHON=3.14).");
        }
        lock (_countGate)
        {
            if (_sessions.Count >= _options.MaxSessions)
            {
                SessionLog.Refused(_logger, owner, "process limit");
                return new SessionCreation(null, SessionCreateFailure.TooManySessions,
                    $"The service holds {_sessions.Count} sessions, its limit (Sessions:MaxSessions); retry later or delete sessions.");
            }
            var held = _perOwner.GetValueOrDefault(owner);
            if (held >= _options.MaxSessionsPerOwner)
            {
                SessionLog.Refused(_logger, owner, "owner limit");
                return new SessionCreation(null, SessionCreateFailure.TooManyForOwner,
                    $"This caller holds {held} sessions, the limit per caller (Sessions:MaxSessionsPerOwner); delete one first.");
            }
            _perOwner[owner] = held + 1;
        }
        var id = NewId();
        var directory = Path.Combine(_root, id);
        Directory.CreateDirectory(directory);
        var timeout = idleTimeout is { } requested && requested > TimeSpan.Zero
            ? (requested > _options.MaxIdleTimeout ? _options.MaxIdleTimeout : requested)
            : _options.DefaultIdleTimeout;
        var session = new PythonSession(id, owner, _time.GetUtcNow(), timeout, _options.MaxLifetime,
            new SessionFiles(directory, _uploads, _options.MaxUploadBytes, _options.MaxFilesBytes), _options.MaxListedVariables, isolation);
        _sessions[id] = session;
        _metrics.Created();
        SessionLog.Created(_logger, id, owner, timeout, _sessions.Count);
        // An isolated session's first job makes its interpreter: run one now, so that the cost and any failure are the
        // creation's and not the first request's.
        if (variables is { Count: > 0 } || isolation == WorkerIsolation.Interpreter)
        {
            var bound = await SubmitAsync(session, new RunJob("") { Variables = variables }, cancellationToken).ConfigureAwait(false);
            if (bound.Outcome != JobOutcome.Ok)
            {
                End(session, SessionEndReasons.Deleted, "The session was not created.");
                var failure = session.Isolation == WorkerIsolation.Interpreter && bound.Error?.Type == JobErrorTypes.Internal
                    ? SessionCreateFailure.InterpreterFailed : SessionCreateFailure.InvalidVariables;
                return new SessionCreation(null, failure, bound.Error?.Message, bound);
            }
        }
        return new SessionCreation(session);
    }

    /// <summary>Whether sessions can be created with <see cref="WorkerIsolation.Interpreter"/>: the runtime is CPython 3.12 or
    /// later.</summary>
    public bool SupportsInterpreterIsolation => _pool.Runtime.Info.Version >= new Version(3, 12);

    /// <summary>The owner's session with this id, or null (unknown, ended, or another owner's: they look the same).</summary>
    public PythonSession? Find(string id, string owner) =>
        id is not null && _sessions.TryGetValue(id, out var session) && string.Equals(session.Owner, owner, StringComparison.Ordinal) && !session.IsEnded
            ? session : null;

    /// <summary>The owner's sessions, oldest first.</summary>
    public IReadOnlyList<PythonSession> List(string owner) =>
        [.. _sessions.Values.Where(s => string.Equals(s.Owner, owner, StringComparison.Ordinal) && !s.IsEnded).OrderBy(s => s.CreatedAt)];

    /// <summary>Ends the owner's session now: a running job is interrupted, waiting ones are refused, the namespace and
    /// the directory are freed. False when there is no such session.</summary>
    public bool Delete(string id, string owner)
    {
        var session = Find(id, owner);
        return session is not null && End(session, SessionEndReasons.Deleted, "The session was deleted while the job ran.");
    }

    /// <summary>Stops the session's running job (it gets <see cref="JobOutcome.Cancelled"/> with
    /// <see cref="JobErrorTypes.Interrupted"/> and its output so far); the namespace is kept. Null when there is no such
    /// session, false when nothing was running.</summary>
    public bool? Interrupt(string id, string owner)
    {
        var session = Find(id, owner);
        if (session is null)
        {
            return null;
        }
        if (session.Running is not { } running)
        {
            return false;
        }
        running.InterruptReason = "The job was interrupted (POST /sessions/{id}/interrupt); the session keeps its state.";
        SessionLog.Interrupted(_logger, session.Id, running.Job.Id ?? "");
        running.Cancel();
        return true;
    }

    /// <summary>Runs <paramref name="job"/> in <paramref name="session"/>: after the session's earlier jobs, on any free
    /// worker, with the session's globals. Never throws for job failures (as <see cref="WorkerPool.SubmitAsync"/>).</summary>
    /// <remarks>Refused at once (<see cref="JobOutcome.Rejected"/>, <see cref="JobErrorTypes.SessionBusy"/>) when
    /// <see cref="PythonSessionOptions.MaxQueuedPerSession"/> jobs already wait. The deadline runs from submission here: a job
    /// whose time passed while it waited ends as <see cref="JobOutcome.Timeout"/> without running.</remarks>
    public Task<JobResult> SubmitAsync(PythonSession session, PythonJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(job);
        var pool = _pool.Options;
        var timeout = job.Timeout is { } requested && requested > TimeSpan.Zero
            ? (requested > pool.MaxTimeout ? pool.MaxTimeout : requested)
            : pool.DefaultTimeout;
        var execution = new SessionExecution(job with { Id = job.Id ?? WorkerPool.NewJobId(), Session = session }, timeout, cancellationToken);
        if (session.IsStuck && !session.IsEnded)
        {
            // Queued behind it, the job would wait out its deadline; handed to a worker, it would take that worker with it.
            SessionLog.Busy(_logger, session.Id, execution.Job.Id!, session.Queued);
            return Task.FromResult(Unstarted(execution, JobOutcome.Rejected, JobErrorTypes.SessionBusy, StuckMessage));
        }
        if (session.Enqueue(execution, _options.MaxQueuedPerSession, out var refused))
        {
            Start(session, execution);
        }
        else if (refused)
        {
            if (session.IsEnded)
            {
                return Task.FromResult(Unstarted(execution, JobOutcome.Cancelled, JobErrorTypes.Interrupted, "The session has ended."));
            }
            SessionLog.Busy(_logger, session.Id, execution.Job.Id!, session.Queued);
            return Task.FromResult(Unstarted(execution, JobOutcome.Rejected, JobErrorTypes.SessionBusy,
                $"The session is running a job and {session.Queued} more wait (Sessions:MaxQueuedPerSession); retry when it is idle."));
        }
        else
        {
            // Waiting: the caller may cancel, and the deadline (which runs from submission) may pass before its turn.
            var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            waiting.CancelAfter(timeout);
            execution.Waiting = waiting;
            execution.Registration = waiting.Token.UnsafeRegister(static (state, _) =>
            {
                var (session, execution) = ((PythonSession, SessionExecution))state!;
                if (session.TryRemoveWaiting(execution))
                {
                    execution.Completion.TrySetResult(execution.CallerToken.IsCancellationRequested
                        ? Unstarted(execution, JobOutcome.Cancelled, JobErrorTypes.Cancelled, "The job was cancelled while it waited in the session's queue.")
                        : Unstarted(execution, JobOutcome.Timeout, JobErrorTypes.Timeout,
                            $"The job did not start within its {execution.Timeout.TotalSeconds:0.###} s: the session was busy with earlier jobs."));
                }
            }, (session, execution));
        }
        return execution.Completion.Task;
    }

    private void Start(PythonSession session, SessionExecution execution)
    {
        while (execution is not null)
        {
            execution.Registration.Dispose();
            execution.Waiting?.Dispose();
            var waited = Stopwatch.GetElapsedTime(execution.EnqueuedAt);
            var remaining = execution.Timeout - waited;
            if (execution.InterruptReason is { } reason)
            {
                execution.Completion.TrySetResult(Unstarted(execution, JobOutcome.Cancelled, JobErrorTypes.Interrupted, reason));
            }
            else if (execution.CallerToken.IsCancellationRequested)
            {
                execution.Completion.TrySetResult(Unstarted(execution, JobOutcome.Cancelled, JobErrorTypes.Cancelled, "The job was cancelled while it waited in the session's queue."));
            }
            else if (remaining <= TimeSpan.Zero)
            {
                execution.Completion.TrySetResult(Unstarted(execution, JobOutcome.Timeout, JobErrorTypes.Timeout,
                    $"The job did not start within its {execution.Timeout.TotalSeconds:0.###} s: the session was busy."));
            }
            else
            {
                execution.Started = true;
                var task = _pool.SubmitAsync(execution.Job with { Timeout = remaining }, execution.Interrupt.Token);
                if (!task.IsCompleted)
                {
                    _ = CompleteAsync(session, execution, task, waited);
                    return;
                }
                Finish(session, execution, task.Result, waited);
            }
            execution = Next(session, execution)!;
        }
    }

    private const string StuckMessage = "The session's previous job is stuck in native code past its deadline and still holds the " +
        "session (and an isolated session's GIL); nothing ran. The session takes jobs again when that call returns; delete it to give it up.";

    private async Task CompleteAsync(PythonSession session, SessionExecution execution, Task<JobResult> task, TimeSpan waited)
    {
        var result = await task.ConfigureAwait(false);
        Finish(session, execution, result, waited);
        if (session.StuckJobReturned is { } returned)
        {
            // The caller has its timeout; the session stays busy with the abandoned job until it returns from native code.
            if (session.IsEnded)
            {
                RemoveDirectory(session); // deleted or expired: the files go now, the namespace and interpreter when it returns
            }
            await returned.ConfigureAwait(false);
        }
        if (Next(session, execution) is { } next)
        {
            Start(session, next);
        }
    }

    private void Finish(PythonSession session, SessionExecution execution, JobResult result, TimeSpan waited)
    {
        if (result.Outcome == JobOutcome.Cancelled && execution.InterruptReason is { } reason)
        {
            result = result with { Error = new JobError(JobErrorTypes.Interrupted, reason) };
        }
        result = result with { QueueWait = result.QueueWait + waited };
        execution.Interrupt.Dispose();
        _metrics.Executed(result.Outcome, waited);
        SessionLog.Executed(_logger, session.Id, result.JobId, execution.Job.Kind, result.Outcome, waited);
        execution.Completion.TrySetResult(result);
    }

    /// <summary>The execution ended: the session's next one, or, for an ended session with nothing left, its release.</summary>
    private SessionExecution? Next(PythonSession session, SessionExecution finished)
    {
        var next = session.Advance(finished, _time.GetUtcNow());
        if (next is null && session.IsEnded)
        {
            Release(session);
        }
        return next;
    }

    private bool End(PythonSession session, string reason, string interruptReason)
    {
        if (!_sessions.TryRemove(new KeyValuePair<string, PythonSession>(session.Id, session)))
        {
            return false;
        }
        lock (_countGate)
        {
            if (_perOwner.TryGetValue(session.Owner, out var held))
            {
                if (held <= 1)
                {
                    _perOwner.Remove(session.Owner);
                }
                else
                {
                    _perOwner[session.Owner] = held - 1;
                }
            }
        }
        var (running, waiting) = session.End();
        foreach (var execution in waiting)
        {
            execution.Registration.Dispose();
            execution.Waiting?.Dispose();
            execution.Completion.TrySetResult(Unstarted(execution, JobOutcome.Cancelled, JobErrorTypes.Interrupted, "The session ended before the job started."));
        }
        _metrics.Ended(reason, session.Executions);
        SessionLog.Ended(_logger, session.Id, reason, session.Executions);
        if (running is null)
        {
            Release(session);
        }
        else
        {
            running.InterruptReason = interruptReason;
            running.Cancel(); // the job's end releases the session (see Next)
            if (session.IsStuck)
            {
                RemoveDirectory(session); // the namespace and interpreter wait for the stuck call; the files need not
            }
        }
        return true;
    }

    /// <summary>Frees the namespace on a worker (clearing the dict there breaks the cycles its functions make, and runs
    /// finalizers under a job's capture) and ends the session's own interpreter there, and removes the directory. Once per
    /// session, after its last job.</summary>
    private void Release(PythonSession session)
    {
        if (!session.TryMarkReleased())
        {
            return; // the job's end and the delete both saw the session idle
        }
        if (session.Globals is not null || session.Isolation == WorkerIsolation.Interpreter)
        {
            var released = _pool.SubmitAsync(new ReleaseSessionJob { Session = session });
            if (released.IsCompleted && released.Result.Outcome == JobOutcome.Rejected)
            {
                session.Globals?.Dispose(); // the pool is closing: the decref is deferred (an own interpreter ends with the runtime)
            }
        }
        RemoveDirectory(session);
    }

    private void RemoveDirectory(PythonSession session)
    {
        try
        {
            SessionFiles.RemoveTree(session.Files.Directory);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SessionLog.DirectoryNotRemoved(_logger, session.Id, session.Files.Directory, ex);
        }
    }

    /// <summary>The reaper: one timer for every session's expiry.</summary>
    internal void Reap()
    {
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var expired = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.IsExpired(now) && End(session, SessionEndReasons.Expired, "The session expired (Sessions:MaxLifetime) while the job ran."))
            {
                expired++;
            }
        }
        SessionLog.Reaped(_logger, expired, _sessions.Count, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Ends every session (their directories are removed) and stops the reaper.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _reaper.Dispose();
        foreach (var session in _sessions.Values)
        {
            End(session, SessionEndReasons.Shutdown, "The service shut down while the job ran.");
        }
        _metrics.Dispose();
    }

    /// <summary>128 random bits from the system's CSPRNG, base64url: ids are capabilities, so they must be unguessable.</summary>
    private static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    private static JobResult Unstarted(SessionExecution execution, JobOutcome outcome, string type, string message) => new()
    {
        JobId = execution.Job.Id!,
        Outcome = outcome,
        Error = new JobError(type, message),
        QueueWait = Stopwatch.GetElapsedTime(execution.EnqueuedAt),
    };
}
