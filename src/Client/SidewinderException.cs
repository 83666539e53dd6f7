namespace Sidewinder.Client;

/// <summary>The service answered with a problem (RFC 7807) instead of a result. Subclasses are keyed by the problem's
/// <c>type</c> (docs/api.md, "Status codes and outcomes"); this base class covers the rest (500 <c>internal-error</c>, or a
/// response that is no Sidewinder problem, e.g. from a proxy).</summary>
public class SidewinderException : Exception
{
    internal SidewinderException(Problem problem, int status, TimeSpan? retryAfter = null)
        : base(problem.Detail ?? problem.Title ?? $"The service answered {status}.")
    {
        Status = status;
        ProblemType = problem.Type;
        Title = problem.Title;
        Outcome = problem.Outcome;
        JobId = problem.JobId;
        Error = problem.Error;
        Stdout = problem.Stdout ?? "";
        Stderr = problem.Stderr ?? "";
        Timings = problem.Timings;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The problem's <c>type</c>, e.g. <c>urn:sidewinder:problem:python-error</c>; null when the body was no problem.</summary>
    public string? ProblemType { get; }

    /// <summary>The problem's title.</summary>
    public string? Title { get; }

    /// <summary>The problem's <c>outcome</c>: <c>error</c>, <c>timeout</c>, <c>cancelled</c>, <c>rejected</c> or <c>invalid</c>.</summary>
    public string? Outcome { get; }

    /// <summary>The job's id, when a job was created.</summary>
    public string? JobId { get; }

    /// <summary>The Python (or <c>sidewinder.*</c>) error, when there is one.</summary>
    public PythonError? Error { get; }

    /// <summary>Standard output captured before the error or deadline.</summary>
    public string Stdout { get; }

    /// <summary>Standard error captured before the error or deadline.</summary>
    public string Stderr { get; }

    /// <summary>Queue wait and execution time, when a job was created.</summary>
    public ExecutionTimings? Timings { get; }

    /// <summary>The response's <c>Retry-After</c>, when it had one.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>400 <c>invalid-request</c>, 413 <c>too-large</c>, or another 4xx for the request itself (unknown path,
/// wrong media type): the request must change.</summary>
public sealed class SidewinderInvalidRequestException : SidewinderException
{
    internal SidewinderInvalidRequestException(Problem problem, int status) : base(problem, status)
    {
    }
}

/// <summary>400 <c>syntax-error</c>: the code does not compile.</summary>
public sealed class SidewinderSyntaxErrorException : SidewinderException
{
    internal SidewinderSyntaxErrorException(Problem problem, int status) : base(problem, status)
    {
    }

    /// <summary>1-based line of the error in the request's code.</summary>
    public int? Line => Error?.Line;

    /// <summary>1-based column.</summary>
    public int? Offset => Error?.Offset;

    /// <summary>The offending line.</summary>
    public string? Text => Error?.Text;
}

/// <summary>422 <c>python-error</c> (the code raised) or <c>conversion-error</c> (a value cannot cross between JSON and
/// Python).</summary>
public sealed class SidewinderPythonException : SidewinderException
{
    internal SidewinderPythonException(Problem problem, int status) : base(problem, status)
    {
    }

    /// <summary>The exception's qualified Python type, e.g. <c>ZeroDivisionError</c>.</summary>
    public string? PythonType => Error?.Type;

    /// <summary>Traceback frames, outermost first.</summary>
    public IReadOnlyList<TracebackFrame> Frames => Error?.Frames ?? [];

    /// <summary>The traceback as Python prints it.</summary>
    public string? Traceback => Error?.Traceback;
}

/// <summary>504 <c>timeout</c>: the job passed its deadline and was stopped; <see cref="SidewinderException.Stdout"/> has
/// what it printed. Never retried: the job ran.</summary>
public sealed class SidewinderTimeoutException : SidewinderException
{
    internal SidewinderTimeoutException(Problem problem, int status) : base(problem, status)
    {
    }
}

/// <summary>404 <c>session-not-found</c>: the session does not exist for this key: never created, ended
/// (deleted, expired, the service restarted), or another key's.</summary>
public sealed class SidewinderSessionNotFoundException : SidewinderException
{
    internal SidewinderSessionNotFoundException(Problem problem, int status) : base(problem, status)
    {
    }
}

/// <summary>404 <c>file-not-found</c>: the session exists but has no file at that path; the session is unchanged.</summary>
public sealed class SidewinderFileNotFoundException : SidewinderException
{
    internal SidewinderFileNotFoundException(Problem problem, int status) : base(problem, status)
    {
    }
}

/// <summary>409 <c>interrupted</c>: an interrupt, or the session's deletion or expiry, stopped the execution;
/// <see cref="SidewinderException.Stdout"/> has what it printed. After an interrupt the session keeps its state.</summary>
public sealed class SidewinderInterruptedException : SidewinderException
{
    internal SidewinderInterruptedException(Problem problem, int status) : base(problem, status)
    {
    }
}

/// <summary>503 <c>unavailable</c> (queue full, no workers, shutting down), 429 <c>rate-limited</c>, 429 <c>session-busy</c>
/// (the session's own queue is full) or 429/503 <c>session-limit</c> (no more sessions now), after the retries
/// the client was allowed; <see cref="SidewinderException.RetryAfter"/> says when to try again.</summary>
public sealed class SidewinderRejectedException : SidewinderException
{
    internal SidewinderRejectedException(Problem problem, int status, TimeSpan? retryAfter) : base(problem, status, retryAfter)
    {
    }
}

/// <summary>401 <c>unauthorized</c> (no or an unknown key) or 403 <c>forbidden</c> (the key may not use the endpoint, or
/// the service serves loopback clients only).</summary>
public sealed class SidewinderAccessDeniedException : SidewinderException
{
    internal SidewinderAccessDeniedException(Problem problem, int status) : base(problem, status)
    {
    }
}
