namespace Sidewinder.Api.Execution;

/// <summary>What is wrong with a request before any job exists, shared by the HTTP endpoints and the MCP tools so that
/// both refuse the same requests with the same words (the pool checks names and values itself).</summary>
/// <param name="Message">The problem's detail.</param>
/// <param name="TooLarge">True when the request exceeds a size limit (HTTP 413), false when it is invalid (400).</param>
internal sealed record RequestError(string Message, bool TooLarge = false)
{
    public static RequestError? Code(string code, int maxCodeChars)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return new("'code' must not be empty.");
        }
        if (code.Length > maxCodeChars)
        {
            return new($"'code' has {code.Length} characters; the limit is {maxCodeChars} (Limits:MaxCodeChars).", TooLarge: true);
        }
        var nul = code.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0
            ? new($"'code' contains a NUL character (U+0000) at position {nul}; Python source cannot contain null bytes.")
            : null;
    }

    public static RequestError? Name(string field, string value) =>
        string.IsNullOrWhiteSpace(value) ? new($"'{field}' must not be empty.") : null;

    public static RequestError? Timeout(int? timeoutMs) =>
        timeoutMs is <= 0 ? new($"'timeoutMs' must be positive (is {timeoutMs}); leave it out for the default.") : null;

    /// <summary>The job's deadline from the request's <c>timeoutMs</c> (null: the pool's default).</summary>
    public static TimeSpan? Deadline(int? timeoutMs) => timeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
