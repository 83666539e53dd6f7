using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Sidewinder.Client;

/// <summary>Retries only what cannot have run, so a retried request never runs twice.</summary>
/// <remarks>
/// Retried: a connection that could not be made (nothing was sent); 429 (the rate limiter answers before the endpoint);
/// 503 whose problem says the job never started (<c>sidewinder.QueueFull</c>, <c>sidewinder.NoWorkers</c>,
/// <c>sidewinder.ShuttingDown</c>, the last one also for a job that was queued at shutdown). Waits for
/// <c>Retry-After</c> when the response has one, else an exponential delay with jitter. Never retried: 504 (the job ran
/// until its deadline), 500, 422, 400, any other 503 (a proxy's says nothing about the job), a connection lost after
/// the request was sent, and the client's own timeout.
/// </remarks>
internal static class SafeRetry
{
    private static readonly HashSet<string> NotStarted = ["sidewinder.QueueFull", "sidewinder.NoWorkers", "sidewinder.ShuttingDown"];

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, SidewinderClientOptions options)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return;
        }
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            ShouldRetryAfterHeader = true,
            ShouldHandle = args => CannotHaveRunAsync(args.Outcome, options.MaxRetryAfter, args.Context.CancellationToken),
        });
    }

    internal static async ValueTask<bool> CannotHaveRunAsync(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter, CancellationToken cancellationToken)
    {
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError })
        {
            return true;
        }
        if (outcome.Result is not { } response || Problem.RetryAfter(response.Headers.RetryAfter) > maxRetryAfter)
        {
            return false;
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return true;
        }
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }
        // Buffered, so the caller can still read the body of the last attempt.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var problem = Problem.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return problem.Type == Problem.Prefix + "unavailable" && problem.Error?.Type is { } type && NotStarted.Contains(type);
    }
}
