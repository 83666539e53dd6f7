using System.Text.Json;

namespace Sidewinder.Client;

/// <summary>One event of a streamed run (<see cref="ISidewinderClient.StreamRunAsync"/>), in the order the job produced it.</summary>
public abstract record ExecutionEvent;

/// <summary>Text the job wrote (chunks may be merged when the client reads slowly).</summary>
/// <param name="Stream"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">The text, newlines included.</param>
public sealed record OutputEvent(string Stream, string Text) : ExecutionEvent;

/// <summary>A rich output, as it appears in <see cref="ExecutionResult.Outputs"/>.</summary>
/// <param name="Output">The output.</param>
public sealed record DisplayEvent(DisplayOutput Output) : ExecutionEvent;

/// <summary>A Python <c>logging</c> record.</summary>
/// <param name="Level">Level name (<c>WARNING</c>).</param>
/// <param name="LevelNo">Level number (30).</param>
/// <param name="Logger">Logger name.</param>
/// <param name="Message">Formatted message.</param>
public sealed record LogEvent(string Level, int LevelNo, string Logger, string Message) : ExecutionEvent;

/// <summary>The last event of a run that completed: the same result <see cref="ISidewinderClient.RunAsync(RunRequest, CancellationToken)"/> returns.
/// A run that fails ends the stream with the exception that call would have thrown.</summary>
/// <param name="Result">The result.</param>
public sealed record ResultEvent(ExecutionResult Result) : ExecutionEvent;

/// <summary>A rich output: one object in several MIME types, as Jupyter's <c>display_data</c> / <c>execute_result</c>.</summary>
public sealed record DisplayOutput
{
    /// <summary><c>display</c> or <c>execute_result</c>.</summary>
    public required string Type { get; init; }

    /// <summary>MIME type to representation: <c>text/plain</c> always; images base64; <c>application/json</c> a JSON value.</summary>
    public IReadOnlyDictionary<string, JsonElement> Data { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Metadata of the output or per MIME type.</summary>
    public IReadOnlyDictionary<string, JsonElement> Metadata { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>The text of a textual MIME type (<c>text/html</c>, <c>text/plain</c>, ...), or null when absent.</summary>
    public string? GetText(string mimeType) =>
        Data.TryGetValue(mimeType, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The bytes of a base64 MIME type (<c>image/png</c>, <c>image/jpeg</c>), or null when absent.</summary>
    public byte[]? GetBytes(string mimeType) => GetText(mimeType) is { } text ? Convert.FromBase64String(text) : null;
}
