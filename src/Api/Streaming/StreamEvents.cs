namespace Sidewinder.Api.Streaming;

/// <summary>The <c>event:</c> names of an execution event stream.</summary>
public static class StreamEventTypes
{
    /// <summary>Text written to standard output (<see cref="StreamText"/>).</summary>
    public const string Stdout = "stdout";

    /// <summary>Text written to standard error (<see cref="StreamText"/>).</summary>
    public const string Stderr = "stderr";

    /// <summary>A rich output, <c>{"type", "data", "metadata"}</c>, the same object as an entry of <c>outputs</c>.</summary>
    public const string Display = "display";

    /// <summary>A Python logging record (<see cref="StreamLog"/>).</summary>
    public const string Log = "log";

    /// <summary>The job completed: the same JSON object as the 200 response. Always the last event.</summary>
    public const string Result = "result";

    /// <summary>The job failed, timed out or was cancelled: the same problem object as the non-200 response. Always the last event.</summary>
    public const string Error = "error";

    /// <summary>Sent after <c>Streaming:KeepAliveInterval</c> of silence; data <c>{}</c>. Clients ignore it.</summary>
    public const string KeepAlive = "keepalive";
}

/// <summary>The data of a <c>stdout</c> or <c>stderr</c> event: text as written (chunks may be merged when the client is behind).</summary>
/// <param name="Text">The text, newlines included.</param>
public sealed record StreamText(string Text);

/// <summary>The data of a <c>log</c> event.</summary>
/// <param name="Level">Python level name: <c>DEBUG</c>, <c>INFO</c>, <c>WARNING</c>, <c>ERROR</c>, <c>CRITICAL</c> (or <c>Level N</c>).</param>
/// <param name="LevelNo">Python level number.</param>
/// <param name="Logger">Logger name.</param>
/// <param name="Message">The formatted message.</param>
public sealed record StreamLog(string Level, int LevelNo, string Logger, string Message);
