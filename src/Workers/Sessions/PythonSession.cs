using System.Diagnostics;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Sessions;

/// <summary>Whether a session is running an execution.</summary>
public enum SessionState
{
    /// <summary>Nothing runs; the next execution starts at once.</summary>
    Idle,

    /// <summary>An execution runs (others may wait in the session's queue).</summary>
    Busy,

    /// <summary>Deleted or expired; it takes no more executions.</summary>
    Ended,
}

/// <summary>A global of a session: its name and its Python type (never its value).</summary>
/// <param name="Name">The global's name.</param>
/// <param name="Type">Qualified Python type (<c>int</c>, <c>module</c>, <c>pandas.core.frame.DataFrame</c>).</param>
public sealed record SessionVariable(string Name, string Type);

/// <summary>Python state that lives across jobs: a globals namespace and a directory of files, used by one job at a time.</summary>
/// <remarks>
/// <para>
/// A session is not a thread: any free worker runs its next job. The session orders its jobs itself (a FIFO of bounded
/// length, see <see cref="SessionStore.SubmitAsync"/>), so at most one job at a time touches its namespace and no lock
/// is ever held while Python runs. The namespace is a globals dict: in the main interpreter, or, for a session created
/// with <see cref="WorkerIsolation.Interpreter"/>, in a sub-interpreter of its own that whichever worker runs the job
/// attaches to (made by the first job, ended after the last).
/// </para>
/// <para>All members are safe to read from any thread; the values are a moment's view.</para>
/// </remarks>
public sealed class PythonSession
{
    private readonly Lock _gate = new();
    private readonly LinkedList<SessionExecution> _waiting = new();
    private SessionExecution? _running;
    private long _lastUsedTicks;
    private int _executions;
    private volatile bool _ended;
    private volatile IReadOnlyList<SessionVariable> _variables = [];
    private volatile int _variableCount;

    internal PythonSession(string id, string owner, DateTimeOffset createdAt, TimeSpan idleTimeout, TimeSpan maxLifetime, SessionFiles files, int listLimit,
        WorkerIsolation isolation = WorkerIsolation.Shared)
    {
        Id = id;
        Isolation = isolation;
        Owner = owner;
        CreatedAt = createdAt;
        IdleTimeout = idleTimeout;
        EndsAt = createdAt + maxLifetime;
        Files = files;
        ListLimit = listLimit;
        _lastUsedTicks = createdAt.UtcTicks;
    }

    /// <summary>The session's identifier: 128 random bits, base64url (22 characters).</summary>
    public string Id { get; }

    /// <summary>Where its globals live: <see cref="WorkerIsolation.Shared"/>, the main interpreter (with its imported
    /// modules); <see cref="WorkerIsolation.Interpreter"/>, a sub-interpreter of its own (own <c>sys.modules</c>, builtins
    /// and <c>sys.path</c>).</summary>
    public WorkerIsolation Isolation { get; }

    /// <summary>The session's own interpreter (<see cref="WorkerIsolation.Interpreter"/>): made by the worker that runs its
    /// first job, ended by the worker that releases it. Touched only by the worker running the session's job.</summary>
    internal Execution.InterpreterContext? Context { get; set; }

    /// <summary>Who created it (an API key's name, or empty for an anonymous caller); only the owner sees it.</summary>
    public string Owner { get; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When its last execution ended (or its creation).</summary>
    public DateTimeOffset LastUsedAt => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>The idle time after which it ends.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>The end of its maximum lifetime (<see cref="PythonSessionOptions.MaxLifetime"/> after creation).</summary>
    public DateTimeOffset EndsAt { get; }

    /// <summary>When it expires if nothing else runs: the idle timeout from its last use, or its lifetime's end if earlier.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            var idle = LastUsedAt + IdleTimeout;
            return idle < EndsAt ? idle : EndsAt;
        }
    }

    /// <summary>Executions that ended (any outcome).</summary>
    public int Executions => Volatile.Read(ref _executions);

    /// <summary>Idle, busy or ended.</summary>
    public SessionState State => _ended ? SessionState.Ended : Volatile.Read(ref _running) is null ? SessionState.Idle : SessionState.Busy;

    /// <summary>Executions waiting behind the running one.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>The session's globals (names and types) after its last execution, up to <see cref="PythonSessionOptions.MaxListedVariables"/>;
    /// names starting with a double underscore are left out.</summary>
    public IReadOnlyList<SessionVariable> Variables => _variables;

    /// <summary>All globals after the last execution (listed or not), double-underscore names excepted.</summary>
    public int VariableCount => _variableCount;

    /// <summary>The session's own directory.</summary>
    public SessionFiles Files { get; }

    /// <summary>The namespace; created by the first job that runs in the session, then used only by the one job that runs at a time.</summary>
    internal PyOwned? Globals { get; set; }

    internal bool IsEnded => _ended;

    private TaskCompletionSource? _stuck;

    /// <summary>True while a job of the session that the watchdog abandoned (stuck in native code past its deadline) has not
    /// returned: it still runs the session's code and, in an isolated session, holds the session's GIL.</summary>
    internal bool IsStuck => Volatile.Read(ref _stuck) is not null;

    /// <summary>Completes when the abandoned job's native call returns; null when none is stuck.</summary>
    internal Task? StuckJobReturned => Volatile.Read(ref _stuck)?.Task;

    /// <summary>Called by the pool before it abandons the session's job (so the session sees it stuck before its caller
    /// sees the result).</summary>
    internal void MarkStuck() => Volatile.Write(ref _stuck, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Called by the abandoned job's worker once it is back from native code and detached (or by the pool when the
    /// job completed after all).</summary>
    internal void Unstick() => Interlocked.Exchange(ref _stuck, null)?.TrySetResult();

    /// <summary>Globals listed at most (<see cref="PythonSessionOptions.MaxListedVariables"/>).</summary>
    internal int ListLimit { get; }

    private int _released;

    /// <summary>True the first time: the namespace and the directory are released once.</summary>
    internal bool TryMarkReleased() => Interlocked.Exchange(ref _released, 1) == 0;

    internal void SetVariables(IReadOnlyList<SessionVariable> variables, int count)
    {
        _variables = variables;
        _variableCount = count;
    }

    internal bool IsExpired(DateTimeOffset now) =>
        now >= EndsAt || (State == SessionState.Idle && now >= LastUsedAt + IdleTimeout && Queued == 0);

    /// <summary>Takes the next execution: true when it should start now, false when it waits (or is refused: <paramref name="refused"/>).</summary>
    internal bool Enqueue(SessionExecution execution, int maxQueued, out bool refused)
    {
        refused = false;
        lock (_gate)
        {
            if (_ended)
            {
                refused = true;
                return false;
            }
            if (_running is null)
            {
                _running = execution;
                return true;
            }
            if (_waiting.Count >= maxQueued)
            {
                refused = true;
                return false;
            }
            execution.Node = _waiting.AddLast(execution);
            return false;
        }
    }

    /// <summary>Removes a waiting execution (its caller cancelled); false when it already left the queue.</summary>
    internal bool TryRemoveWaiting(SessionExecution execution)
    {
        lock (_gate)
        {
            if (execution.Node is not { } node || node.List is null)
            {
                return false;
            }
            _waiting.Remove(node);
            execution.Node = null;
            return true;
        }
    }

    /// <summary>The running execution ended: counts it and returns the next one to start, if any.</summary>
    internal SessionExecution? Advance(SessionExecution finished, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_running == finished)
            {
                Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);
                if (finished.Started)
                {
                    _executions++;
                }
                _running = null;
                if (!_ended && _waiting.First is { } next)
                {
                    _waiting.RemoveFirst();
                    next.Value.Node = null;
                    _running = next.Value;
                }
            }
            return _running;
        }
    }

    /// <summary>Marks the session ended; returns the running execution (to interrupt) and the waiting ones (to refuse).</summary>
    internal (SessionExecution? Running, SessionExecution[] Waiting) End()
    {
        lock (_gate)
        {
            _ended = true;
            var waiting = _waiting.ToArray();
            _waiting.Clear();
            foreach (var execution in waiting)
            {
                execution.Node = null;
            }
            return (_running, waiting);
        }
    }

    /// <summary>The running execution, for an interrupt.</summary>
    internal SessionExecution? Running => Volatile.Read(ref _running);
}

/// <summary>One job of a session on its way through the session's queue and the pool.</summary>
internal sealed class SessionExecution(PythonJob job, TimeSpan timeout, CancellationToken callerToken)
{
    public PythonJob Job { get; } = job;

    public TimeSpan Timeout { get; } = timeout;

    public CancellationToken CallerToken { get; } = callerToken;

    public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();

    public TaskCompletionSource<JobResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<SessionExecution>? Node { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>While it waits: the caller's token with the job's deadline.</summary>
    public CancellationTokenSource? Waiting { get; set; }

    /// <summary>Cancels the pool job: the caller's token linked with the session's interrupt.</summary>
    public CancellationTokenSource Interrupt { get; } = CancellationTokenSource.CreateLinkedTokenSource(callerToken);

    /// <summary>Why the session stopped it (interrupt, delete, expiry); null while nobody did.</summary>
    public volatile string? InterruptReason;

    /// <summary>Stops the pool job (the same path as a deadline). It may have ended a moment ago: its end disposes the
    /// source before the session moves on, and an interrupt that comes in between has nothing left to stop.</summary>
    public void Cancel()
    {
        try
        {
            Interrupt.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>True once handed to the pool.</summary>
    public bool Started { get; set; }
}
