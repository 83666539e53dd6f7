namespace Sidewinder.Api.Streaming;

/// <summary>Settings of the event streams (<c>Accept: text/event-stream</c>); configuration section <c>Streaming</c>.</summary>
public sealed class StreamingOptions
{
    /// <summary>The configuration section: <c>Streaming</c>.</summary>
    public const string SectionName = "Streaming";

    /// <summary>Characters of output that may wait for a slow client before further events are dropped (the final event
    /// then has <c>streamTruncated: true</c>; its stdout, stderr and outputs are complete regardless). Default: 1 Mi.</summary>
    public int BufferChars { get; set; } = 1024 * 1024;

    /// <summary>How long a stream may be silent before a <c>keepalive</c> event goes out, so that proxies keep the
    /// connection open while a job computes. Default: 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Checks every setting; one message per problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BufferChars < 1024)
        {
            errors.Add($"Streaming:BufferChars must be at least 1024; got {BufferChars}.");
        }
        if (KeepAliveInterval < TimeSpan.FromMilliseconds(10) || KeepAliveInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Streaming:KeepAliveInterval must be between 10 ms and 5 minutes; got {KeepAliveInterval}.");
        }
        return errors;
    }
}
