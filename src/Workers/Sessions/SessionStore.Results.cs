namespace Sidewinder.Workers.Sessions;

/// <summary>Why a session could not be created.</summary>
public enum SessionCreateFailure
{
    /// <summary>It was created.</summary>
    None,

    /// <summary>The process holds <see cref="PythonSessionOptions.MaxSessions"/> sessions.</summary>
    TooManySessions,

    /// <summary>The owner holds <see cref="PythonSessionOptions.MaxSessionsPerOwner"/> sessions.</summary>
    TooManyForOwner,

    /// <summary>The initial variables could not be bound (see <see cref="SessionCreation.InitResult"/>); nothing was kept.</summary>
    InvalidVariables,

    /// <summary>The pool is shutting down.</summary>
    ShuttingDown,

    /// <summary><see cref="WorkerIsolation.Interpreter"/> was asked for on a runtime without sub-interpreters of their own
    /// GIL (CPython before 3.12).</summary>
    IsolationUnavailable,

    /// <summary>The session's sub-interpreter could not be made (see <see cref="SessionCreation.InitResult"/>); nothing was kept.</summary>
    InterpreterFailed,
}

/// <summary>The result of <see cref="SessionStore.CreateAsync"/>.</summary>
/// <param name="Session">The new session, or null when it was not created.</param>
/// <param name="Failure">Why not.</param>
/// <param name="Message">What to tell the caller, naming the limit; null on success.</param>
/// <param name="InitResult">The job that bound the initial variables, when that failed.</param>
public sealed record SessionCreation(PythonSession? Session, SessionCreateFailure Failure = SessionCreateFailure.None,
    string? Message = null, JobResult? InitResult = null);

/// <summary>Why a session ended, for logs and metrics.</summary>
internal static class SessionEndReasons
{
    public const string Deleted = "deleted";
    public const string Expired = "expired";
    public const string Shutdown = "shutdown";
}
