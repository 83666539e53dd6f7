using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace Sidewinder.Api.Execution;

/// <summary>The outcome values used in every response body (field <c>outcome</c>).</summary>
public static class Outcomes
{
    /// <summary>The code completed (HTTP 200).</summary>
    public const string Ok = "ok";

    /// <summary>The code raised, did not compile, or its value could not be converted to JSON (HTTP 400 / 422).</summary>
    public const string Error = "error";

    /// <summary>The job passed its deadline and was stopped (HTTP 504).</summary>
    public const string Timeout = "timeout";

    /// <summary>The client went away, or the service shut down before the job ran (HTTP 499 / 503).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The service did not take the job: queue full, shutting down, rate limited, not authorised (HTTP 401 / 403 / 429 / 503).</summary>
    public const string Rejected = "rejected";

    /// <summary>The request itself is invalid: malformed JSON, missing, unknown, repeated or bad fields, too large (HTTP 400 / 413 / 415).</summary>
    public const string Invalid = "invalid";
}

/// <summary>Time spent on a job.</summary>
/// <param name="QueueWaitMs">Milliseconds between accepting the request and a worker starting the job.</param>
/// <param name="ExecutionMs">Milliseconds the job ran on a worker.</param>
public sealed record ExecutionTimings(double QueueWaitMs, double ExecutionMs);

/// <summary>A job that completed (HTTP 200).</summary>
public sealed record ExecutionResponse
{
    /// <summary>Job identifier, also in the service's logs and traces.</summary>
    /// <example>3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b</example>
    public required string JobId { get; init; }

    /// <summary>Always <c>ok</c> for HTTP 200.</summary>
    /// <example>ok</example>
    public required string Outcome { get; init; }

    /// <summary>The value as JSON: the expression's value, the function's return value, or a run's final bare
    /// expression (null when a run ends with a statement). Mapping: docs/json-mapping.md.</summary>
    public RawJsonValue? Value { get; init; }

    /// <summary>Qualified Python type of the value (<c>int</c>, <c>dict</c>, <c>decimal.Decimal</c>), null without a value.</summary>
    /// <example>int</example>
    public string? ValueType { get; init; }

    /// <summary>For <c>/run</c>: the requested variables that exist, as JSON.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables { get; init; }

    /// <summary>Captured standard output (at most <c>Workers:MaxOutputChars</c> characters).</summary>
    public string Stdout { get; init; } = "";

    /// <summary>True when standard output was cut at the limit.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Captured standard error (at most <c>Workers:MaxOutputChars</c> characters).</summary>
    public string Stderr { get; init; } = "";

    /// <summary>True when standard error was cut at the limit.</summary>
    public bool StderrTruncated { get; init; }


    /// <summary>Rich outputs in order of appearance: <c>display()</c> calls, matplotlib figures, and for <c>/run</c> the
    /// final expression's MIME bundle (<c>execute_result</c>) when it has one beyond plain text. Mapping: docs/json-mapping.md.</summary>
    public IReadOnlyList<OutputItem> Outputs { get; init; } = [];

    /// <summary>True when rich outputs were dropped at <c>Workers:MaxRichOutputBytes</c>.</summary>
    public bool OutputsTruncated { get; init; }

    /// <summary>Only in an event stream's final event: true when the client read too slowly and events were dropped
    /// (this object's output fields are complete regardless). Absent in plain responses.</summary>
    public bool? StreamTruncated { get; init; }

    /// <summary>Queue wait and execution time.</summary>
    public required ExecutionTimings Timings { get; init; }
}

/// <summary>A rich output: one object in several MIME types, as Jupyter's <c>display_data</c> and <c>execute_result</c>.</summary>
/// <param name="Type"><c>display</c> or <c>execute_result</c>.</param>
/// <param name="Data">MIME type to representation: <c>text/plain</c> always; <c>image/png</c> and <c>image/jpeg</c> base64;
/// <c>text/html</c>, <c>image/svg+xml</c>, <c>text/markdown</c>, <c>text/latex</c> text; <c>application/json</c> a JSON value.</param>
/// <param name="Metadata">Metadata of the output or per MIME type (often empty).</param>
public sealed record OutputItem(string Type, IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyDictionary<string, JsonElement> Metadata);

/// <summary>A Python error (or a Sidewinder error such as <c>sidewinder.Timeout</c>). Never contains frame locals.</summary>
public sealed record PythonError
{
    /// <summary>Qualified Python exception type (<c>ZeroDivisionError</c>, <c>json.decoder.JSONDecodeError</c>) or a
    /// <c>sidewinder.*</c> type: <c>Timeout</c>, <c>QueueFull</c>, <c>ShuttingDown</c>, <c>NoWorkers</c>, <c>Cancelled</c>,
    /// <c>InvalidJob</c>, <c>ConversionError</c>, <c>InternalError</c>.</summary>
    /// <example>ZeroDivisionError</example>
    public required string Type { get; init; }

    /// <summary>The exception's message (<c>str(exc)</c>).</summary>
    /// <example>division by zero</example>
    public required string Message { get; init; }

    /// <summary>For syntax errors: 1-based line of the request's code.</summary>
    public int? Line { get; init; }

    /// <summary>For syntax errors: 1-based column.</summary>
    public int? Offset { get; init; }

    /// <summary>For syntax errors: the offending line.</summary>
    public string? Text { get; init; }

    /// <summary>Traceback frames of the request's code and the modules it called, outermost first.</summary>
    public IReadOnlyList<TracebackFrame> Frames { get; init; } = [];

    /// <summary>The traceback as Python prints it, including the cause/context chain.</summary>
    public string? Traceback { get; init; }
}

/// <summary>One traceback frame.</summary>
/// <param name="File">File name: <c>&lt;eval&gt;</c>, <c>&lt;run&gt;</c> or a script path.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Function">Function name, <c>&lt;module&gt;</c> for top-level code.</param>
/// <param name="Source">The source line, when known.</param>
public sealed record TracebackFrame(string File, int Line, string Function, string? Source);

/// <summary>An RFC 7807 problem for every non-200 response of the execution endpoints, with the job's details.</summary>
public sealed class ExecutionProblem : ProblemDetails
{
    /// <summary>How the request ended: <c>error</c>, <c>timeout</c>, <c>cancelled</c>, <c>rejected</c> or <c>invalid</c>.</summary>
    /// <example>error</example>
    public required string Outcome { get; init; }

    /// <summary>Job identifier, when a job was created.</summary>
    public string? JobId { get; init; }

    /// <summary>What went wrong.</summary>
    public PythonError? Error { get; init; }

    /// <summary>Standard output captured before the error or deadline.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>True when standard output was cut at the limit.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Standard error captured before the error or deadline.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>True when standard error was cut at the limit.</summary>
    public bool StderrTruncated { get; init; }


    /// <summary>Rich outputs produced before the failure, in order of appearance: <c>display()</c> calls, matplotlib figures, and for <c>/run</c> the
    /// final expression's MIME bundle (<c>execute_result</c>) when it has one beyond plain text. Mapping: docs/json-mapping.md.</summary>
    public IReadOnlyList<OutputItem> Outputs { get; init; } = [];

    /// <summary>True when rich outputs were dropped at <c>Workers:MaxRichOutputBytes</c>.</summary>
    public bool OutputsTruncated { get; init; }

    /// <summary>Only in an event stream's final event: true when the client read too slowly and events were dropped
    /// (this object's output fields are complete regardless). Absent in plain responses.</summary>
    public bool? StreamTruncated { get; set; }

    /// <summary>Queue wait and execution time, when a job was created.</summary>
    public ExecutionTimings? Timings { get; init; }
}
