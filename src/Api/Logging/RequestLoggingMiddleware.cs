using System.Diagnostics;

namespace Sidewinder.Api.Logging;

/// <summary>Writes one line per request when it completes: method, path, status, elapsed time, and the job id and
/// outcome when the request has them (a request rejected before it became a job has an outcome only).</summary>
/// <remarks>Health probes and metrics scrapes are logged at Debug so that a probe every few seconds does not drown the log.
/// With neither Debug nor Information enabled for this category (the log at Warning), a request costs only the check
/// and the failure log: no clock reads, no path or endpoint inspection.</remarks>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context) =>
        logger.IsEnabled(LogLevel.Debug) || logger.IsEnabled(LogLevel.Information) ? LogAsync(context) : FailuresOnlyAsync(context);

    private async Task FailuresOnlyAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ApiLog.RequestFailed(logger, context.Request.Method, context.Request.Path, ex);
            throw;
        }
    }

    private async Task LogAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ApiLog.RequestFailed(logger, context.Request.Method, context.Request.Path, ex);
            throw;
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/health", StringComparison.Ordinal) || IsScrape(context))
        {
            ApiLog.ProbeCompleted(logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            return;
        }
        var info = RequestJobInfo.Get(context);
        var status = context.Response.StatusCode;
        if (info?.JobId is { } jobId)
        {
            ApiLog.RequestCompleted(logger, context.Request.Method, path, status, elapsed, jobId, info.Outcome);
        }
        else if (info?.Outcome is { } outcome)
        {
            ApiLog.RequestWithoutJobCompletedWithOutcome(logger, context.Request.Method, path, status, elapsed, outcome);
        }
        else
        {
            ApiLog.RequestWithoutJobCompleted(logger, context.Request.Method, path, status, elapsed);
        }
    }

    private static bool IsScrape(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == Telemetry.TelemetryOptions.EndpointName;
}
