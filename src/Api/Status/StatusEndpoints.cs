using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Security;
using Sidewinder.Api.Streaming;
using Sidewinder.Interop;
using Sidewinder.Workers;

namespace Sidewinder.Api.Status;

/// <summary>GET /info, /health/live and /health/ready.</summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/info", Info)
            .WithTags("Service")
            .WithName("Info")
            .WithSummary("Python build, workers and limits")
            .WithDescription("The embedded Python (version, GIL or free-threaded build, whether the GIL is enabled right now), " +
                "the worker pool, and every configured limit. Needs an API key when keys are configured.")
            .RequireAuthorization(ApiKeyDefaults.ExecutePolicy)
            .Produces<ServiceInfo>()
            .ProducesProblem(StatusCodes.Status401Unauthorized, ProblemTypes.ContentType)
            .ProducesProblem(StatusCodes.Status403Forbidden, ProblemTypes.ContentType);

        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", Live)
            .WithName("Live")
            .WithSummary("Liveness probe")
            .WithDescription("200 while the process serves HTTP. Never touches the interpreter or waits for a worker.");
        health.MapGet("/ready", Ready)
            .WithName("Ready")
            .WithSummary("Readiness probe")
            .WithDescription("200 when the interpreter is running and the pool takes work (live workers, not shutting down); 503 otherwise.")
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static Ok<HealthReport> Live() => TypedResults.Ok(new HealthReport("alive", null));

    private static Results<Ok<HealthReport>, JsonHttpResult<HealthReport>> Ready(PythonRuntime runtime, WorkerPool pool)
    {
        var status = pool.Status;
        string? reason = !runtime.IsRunning ? "The interpreter is not running."
            : !status.IsAcceptingJobs ? "The worker pool is shutting down."
            : status.Workers == 0 ? "No worker is available (all are stuck in native code)."
            : null;
        return reason is null
            ? TypedResults.Ok(new HealthReport("ready", null))
            : TypedResults.Json(new HealthReport("unavailable", reason), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static Ok<ServiceInfo> Info(PythonRuntime runtime, WorkerPool pool, IOptions<LimitsOptions> limits, ApiKeyStore keys,
        IOptions<StreamingOptions> streaming)
    {
        var info = runtime.Info;
        var status = pool.Status;
        var workers = pool.Options;
        return TypedResults.Ok(new ServiceInfo(
            new PythonBuildInfo(
                info.Version.ToString(),
                info.VersionText,
                info.Build,
                pool.GilEnabled, // observed by the workers: a request thread never attaches (a job stuck in C may hold the GIL)
                info.Installation.Name,
                info.Description,
                info.Installation.Manifest,
                info.Installation.Origin),
            new WorkerInfo(status.Workers, status.BusyWorkers, status.QueuedJobs, workers.QueueCapacity, status.QuarantinedWorkers,
                workers.MaxQuarantinedWorkers, status.IsFreeThreaded),
            new LimitInfo(
                (long)workers.DefaultTimeout.TotalMilliseconds,
                (long)workers.MaxTimeout.TotalMilliseconds,
                limits.Value.MaxRequestBodyBytes,
                limits.Value.MaxCodeChars,
                workers.MaxOutputChars,
                workers.MaxResultBytes,
                limits.Value.RateLimitPermitsPerSecond,
                limits.Value.RateLimitBurst,
                workers.MaxRichOutputBytes,
                streaming.Value.BufferChars),
            new AuthInfo(keys.IsEnabled, keys.IsEnabled ? "api-key" : keys.AllowAnonymousNonLoopback ? "anonymous" : "anonymous-loopback-only")));
    }
}
