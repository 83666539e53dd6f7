namespace Sidewinder.Api.Limits;

/// <summary>Request size and rate limits (configuration section <c>Limits</c>). All are shown on <c>GET /info</c>.</summary>
public sealed class LimitsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Limits";

    /// <summary>Largest request body in bytes; larger bodies get 413. Default: 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest <c>code</c> field in characters; longer code gets 413. Default: 100,000.</summary>
    public int MaxCodeChars { get; set; } = 100_000;

    /// <summary>Requests per second each client (API key, or IP address when anonymous) may make to the execution
    /// endpoints, as a token bucket refilled every second; 0 turns rate limiting off. Default: 1000.</summary>
    public int RateLimitPermitsPerSecond { get; set; } = 1000;

    /// <summary>Bucket size: how many requests a client may make at once after being idle. Default: 2000.</summary>
    public int RateLimitBurst { get; set; } = 2000;

    /// <summary>Every problem with these settings, naming the setting to change.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxRequestBodyBytes < 1024)
        {
            errors.Add($"Limits:MaxRequestBodyBytes must be at least 1024 (is {MaxRequestBodyBytes}).");
        }
        if (MaxCodeChars < 1)
        {
            errors.Add($"Limits:MaxCodeChars must be positive (is {MaxCodeChars}).");
        }
        if (RateLimitPermitsPerSecond < 0)
        {
            errors.Add($"Limits:RateLimitPermitsPerSecond must be 0 (off) or positive (is {RateLimitPermitsPerSecond}).");
        }
        if (RateLimitPermitsPerSecond > 0 && RateLimitBurst < 1)
        {
            errors.Add($"Limits:RateLimitBurst must be positive when rate limiting is on (is {RateLimitBurst}).");
        }
        return errors;
    }
}
