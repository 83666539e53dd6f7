using System.Text.Json;
using Sidewinder.Interop;

namespace Sidewinder.Workers;

/// <summary>How a job ended.</summary>
public enum JobOutcome
{
    /// <summary>The code completed; <see cref="JobResult.ValueJson"/> holds its value (if it has one).</summary>
    Ok,

    /// <summary>The code raised, did not compile, or its result could not be converted; see <see cref="JobResult.Error"/>.</summary>
    Error,

    /// <summary>The job passed its deadline and was interrupted (or abandoned, if stuck in native code).</summary>
    Timeout,

    /// <summary>The caller cancelled the job, or the pool shut down before it finished.</summary>
    Cancelled,

    /// <summary>The pool did not accept the job (queue full, shutting down, no workers); retry later.</summary>
    Rejected,
}

/// <summary>The result of one job. Immutable, holds no Python objects, safe to use on any thread.</summary>
public sealed record JobResult
{
    private JsonElement? _value;

    /// <summary>The job's identifier (from <see cref="PythonJob.Id"/> or generated).</summary>
    public required string JobId { get; init; }

    /// <summary>How the job ended.</summary>
    public required JobOutcome Outcome { get; init; }

    /// <summary>The value as UTF-8 JSON: the expression's value, the call's return value, or a run's final bare
    /// expression. Null when there is no value (a run without a final expression, or an unsuccessful job).</summary>
    public ReadOnlyMemory<byte>? ValueJson { get; init; }

    /// <summary>The value as a <see cref="JsonElement"/> (parsed on first access), or null.</summary>
    public JsonElement? Value => _value ??= ValueJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null;

    /// <summary>Qualified Python type name of the value (<c>int</c>, <c>dict</c>, <c>decimal.Decimal</c>), or null.</summary>
    public string? ValueType { get; init; }

    /// <summary>For run jobs: the requested variables that exist, as JSON.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables { get; init; }

    /// <summary>Captured standard output (up to <see cref="WorkerPoolOptions.MaxOutputChars"/>).</summary>
    public string Stdout { get; init; } = "";

    /// <summary>True when standard output was cut at the limit.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Captured standard error (up to <see cref="WorkerPoolOptions.MaxOutputChars"/>).</summary>
    public string Stderr { get; init; } = "";

    /// <summary>True when standard error was cut at the limit.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>Rich outputs in order of appearance: <c>display()</c>, matplotlib figures, a cell's execute_result
    /// (up to <see cref="WorkerPoolOptions.MaxRichOutputBytes"/>).</summary>
    public IReadOnlyList<RichOutput> Outputs { get; init; } = [];

    /// <summary>True when rich outputs were dropped at the limit.</summary>
    public bool OutputsTruncated { get; init; }

    /// <summary>What went wrong, for every outcome except <see cref="JobOutcome.Ok"/>.</summary>
    public JobError? Error { get; init; }

    /// <summary>Time between submission and a worker starting the job (zero if it never started).</summary>
    public TimeSpan QueueWait { get; init; }

    /// <summary>Time the job spent on a worker (zero if it never started).</summary>
    public TimeSpan Execution { get; init; }
}

/// <summary>Details of a failed job. Never contains frame locals.</summary>
/// <param name="Type">Qualified Python exception type (<c>ZeroDivisionError</c>), or one of <see cref="JobErrorTypes"/>.</param>
/// <param name="Message">Human-readable message (<c>str(exc)</c> for Python errors).</param>
public sealed record JobError(string Type, string Message)
{
    /// <summary>Traceback frames of the job's own code, outermost first (the worker's internal frames are left out).</summary>
    public IReadOnlyList<PythonFrame> Frames { get; init; } = [];

    /// <summary>The traceback as Python prints it, with the cause/context chain; null for non-Python errors.</summary>
    public string? Traceback { get; init; }

    /// <summary>For syntax errors: 1-based line.</summary>
    public int? Line { get; init; }

    /// <summary>For syntax errors: 1-based column.</summary>
    public int? Offset { get; init; }

    /// <summary>For syntax errors: the offending source line.</summary>
    public string? Text { get; init; }
}

/// <summary><see cref="JobError.Type"/> values for errors that are not Python exceptions.</summary>
public static class JobErrorTypes
{
    /// <summary>Rejected: the queue is full.</summary>
    public const string QueueFull = "sidewinder.QueueFull";

    /// <summary>Rejected (before start) or cancelled (queued at shutdown): the pool is shutting down.</summary>
    public const string ShuttingDown = "sidewinder.ShuttingDown";

    /// <summary>Rejected: every worker is quarantined and the quarantine limit prevents replacements.</summary>
    public const string NoWorkers = "sidewinder.NoWorkers";

    /// <summary>The job passed its deadline.</summary>
    public const string Timeout = "sidewinder.Timeout";

    /// <summary>The caller cancelled the job.</summary>
    public const string Cancelled = "sidewinder.Cancelled";

    /// <summary>Cancelled: the job's session was interrupted, deleted or expired (the session keeps its state after an interrupt).</summary>
    public const string Interrupted = "sidewinder.Interrupted";

    /// <summary>Rejected: the job's session already has the most jobs waiting that it may.</summary>
    public const string SessionBusy = "sidewinder.SessionBusy";

    /// <summary>The job itself is invalid (bad variable or function name); nothing ran.</summary>
    public const string InvalidJob = "sidewinder.InvalidJob";

    /// <summary>The value (or an input) cannot be converted to or from JSON: a cycle, too deep, too large, NaN, unsupported type.</summary>
    public const string Conversion = "sidewinder.ConversionError";

    /// <summary>An unexpected failure inside the worker (a bug); the worker keeps running.</summary>
    public const string Internal = "sidewinder.InternalError";
}
