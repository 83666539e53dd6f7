using System.Text.Json;

namespace Sidewinder.Client;

/// <summary>A job that completed (HTTP 200).</summary>
public sealed record ExecutionResult
{
    /// <summary>The job's id, also in the service's logs and traces.</summary>
    public required string JobId { get; init; }

    /// <summary>Always <c>ok</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The value as JSON, or null when there is none (a run that ends with a statement).</summary>
    public JsonElement? Value { get; init; }

    /// <summary>The value's qualified Python type (<c>int</c>, <c>dict</c>, <c>decimal.Decimal</c>), null without a value.</summary>
    public string? ValueType { get; init; }

    /// <summary>For <c>RunAsync</c> with <see cref="RunRequest.ReturnVariables"/>: the variables that exist, as JSON.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables { get; init; }

    /// <summary>Captured standard output.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>True when standard output was cut at the service's limit.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>Captured standard error.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>True when standard error was cut at the service's limit.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>Rich outputs in order of appearance (<c>display()</c>, matplotlib figures, a cell's <c>execute_result</c>).</summary>
    public IReadOnlyList<DisplayOutput> Outputs { get; init; } = [];

    /// <summary>True when rich outputs were dropped at the service's limit.</summary>
    public bool OutputsTruncated { get; init; }

    /// <summary>Only for a streamed run: true when events were dropped because this client read too slowly (this
    /// result's output fields are complete regardless); null otherwise.</summary>
    public bool? StreamTruncated { get; init; }

    /// <summary>Queue wait and execution time.</summary>
    public ExecutionTimings? Timings { get; init; }

    /// <summary>The value deserialized as <typeparamref name="T"/> (JSON web defaults unless <paramref name="options"/>
    /// say otherwise); <c>default</c> when there is no value.</summary>
    public T? GetValue<T>(JsonSerializerOptions? options = null) =>
        Value is { } value ? value.Deserialize<T>(options ?? SidewinderJson.Options) : default;

    /// <summary>A returned variable deserialized as <typeparamref name="T"/>.</summary>
    /// <exception cref="KeyNotFoundException">The run did not return that variable.</exception>
    public T? GetVariable<T>(string name, JsonSerializerOptions? options = null) =>
        Variables is not null && Variables.TryGetValue(name, out var value)
            ? value.Deserialize<T>(options ?? SidewinderJson.Options)
            : throw new KeyNotFoundException($"The run returned no variable '{name}' (ask for it in ReturnVariables).");
}

/// <summary>Time spent on a job.</summary>
/// <param name="QueueWaitMs">Milliseconds between the service accepting the request and a worker starting it.</param>
/// <param name="ExecutionMs">Milliseconds the job ran.</param>
public sealed record ExecutionTimings(double QueueWaitMs, double ExecutionMs);

/// <summary>What went wrong in Python (or a <c>sidewinder.*</c> error). Never contains frame locals.</summary>
public sealed record PythonError
{
    /// <summary>Qualified exception type (<c>ZeroDivisionError</c>) or <c>sidewinder.Timeout</c>, <c>sidewinder.QueueFull</c>, ...</summary>
    public required string Type { get; init; }

    /// <summary>The exception's message.</summary>
    public required string Message { get; init; }

    /// <summary>For syntax errors: 1-based line.</summary>
    public int? Line { get; init; }

    /// <summary>For syntax errors: 1-based column.</summary>
    public int? Offset { get; init; }

    /// <summary>For syntax errors: the offending line.</summary>
    public string? Text { get; init; }

    /// <summary>Traceback frames, outermost first.</summary>
    public IReadOnlyList<TracebackFrame> Frames { get; init; } = [];

    /// <summary>The traceback as Python prints it.</summary>
    public string? Traceback { get; init; }
}

/// <summary>One traceback frame.</summary>
/// <param name="File">File name: <c>&lt;eval&gt;</c>, <c>&lt;run&gt;</c> or a script path.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Function">Function name, <c>&lt;module&gt;</c> for top-level code.</param>
/// <param name="Source">The source line, when known.</param>
public sealed record TracebackFrame(string File, int Line, string Function, string? Source);

/// <summary>The JSON settings of the service's bodies: camelCase, nulls left out.</summary>
internal static class SidewinderJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
