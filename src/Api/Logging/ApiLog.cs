namespace Sidewinder.Api.Logging;

/// <summary>Source-generated log messages of the HTTP layer. Never logs request code or results.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(EventId = 1, EventName = "RequestCompleted", Level = LogLevel.Information,
        Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms (job {JobId}, outcome {Outcome})")]
    public static partial void RequestCompleted(ILogger logger, string method, string path, int statusCode, double elapsedMs, string? jobId, string? outcome);

    [LoggerMessage(EventId = 6, EventName = "RequestCompletedWithoutJob", Level = LogLevel.Information,
        Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms")]
    public static partial void RequestWithoutJobCompleted(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 7, EventName = "RequestRejectedBeforeJob", Level = LogLevel.Information,
        Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms (outcome {Outcome})")]
    public static partial void RequestWithoutJobCompletedWithOutcome(ILogger logger, string method, string path, int statusCode, double elapsedMs, string outcome);

    [LoggerMessage(EventId = 2, EventName = "ProbeCompleted", Level = LogLevel.Debug,
        Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms")]
    public static partial void ProbeCompleted(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    [LoggerMessage(EventId = 3, EventName = "RequestFailed", Level = LogLevel.Error,
        Message = "HTTP {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "Listening", Level = LogLevel.Information,
        Message = "Sidewinder is serving {Addresses} on {Python} ({Workers} workers, API keys {Auth}); Swagger UI at /swagger")]
    public static partial void Listening(ILogger logger, string addresses, string python, int workers, string auth);

    [LoggerMessage(EventId = 5, EventName = "TelemetryEnabled", Level = LogLevel.Information,
        Message = "OpenTelemetry export is on: traces and metrics go to {Endpoint}")]
    public static partial void TelemetryEnabled(ILogger logger, string endpoint);
}
