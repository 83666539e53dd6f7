namespace Sidewinder.Client;

/// <summary>Where the service is and how to call it. Set through <c>AddSidewinderClient(o => ...)</c>.</summary>
public sealed class SidewinderClientOptions
{
    /// <summary>The service's base address, e.g. <c>http://127.0.0.1:8080</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key, sent as <c>Authorization: Bearer KEY</c>; null when the service has no keys (loopback only).
    /// Default: null.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one call may take in all, retries included: longer than the service's largest deadline
    /// (<c>Workers:MaxTimeout</c>, 5 min) plus queueing. Default: 5 min 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5.5);

    /// <summary>Retries of a request that cannot have run (queue full, no workers, shutting down before the job started,
    /// rate limited, connection refused); 0 turns retrying off. Default: 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry when the response has no <c>Retry-After</c>; doubled each time, with jitter.
    /// Default: 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest <c>Retry-After</c> honoured; a longer one is not waited for (the exception is thrown).
    /// Default: 30 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri)
        {
            throw new InvalidOperationException("SidewinderClientOptions.BaseAddress must be an absolute URI such as http://127.0.0.1:8080.");
        }
        if (MaxRetryAttempts < 0)
        {
            throw new InvalidOperationException($"SidewinderClientOptions.MaxRetryAttempts must be 0 or more (is {MaxRetryAttempts}).");
        }
    }
}
