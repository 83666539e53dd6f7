using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Security;
using Sidewinder.Api.Sessions;
using Sidewinder.Api.Streaming;
using Sidewinder.Interop;
using Sidewinder.Workers;
using Sidewinder.Workers.Sessions;

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
                "the worker pool, every configured limit, and the sessions held with their limits. Needs an API key when keys are configured.")
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
            .WithDescription("200 when the interpreter is running and the pool takes work: `{\"status\":\"ready\"}` with every worker running, " +
                "`{\"status\":\"degraded\",\"reason\":...}` while fewer are (workers stuck in native code past a deadline and not replaced " +
                "because of Workers:MaxQuarantinedWorkers, a replacement starting, or, on a free-threaded build with Workers:Isolation=Interpreter, " +
                "a replacement waiting for the stuck worker to return). 503 `unavailable` with a reason when no worker is " +
                "available, the pool is shutting down or the interpreter is not running.")
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
        if (reason is not null)
        {
            return TypedResults.Json(new HealthReport("unavailable", reason), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        // Still serving, with less capacity: a probe keeps sending traffic, and an operator (or an alert on the body or on
        // sidewinder.workers.quarantined) sees that the pool has lost workers it cannot replace until they return.
        return status.Workers >= status.TargetWorkers
            ? TypedResults.Ok(new HealthReport("ready", null))
            : TypedResults.Ok(new HealthReport("degraded", status.QuarantinedWorkers > pool.Options.MaxQuarantinedWorkers
                ? $"{status.Workers} of {status.TargetWorkers} workers are running: {status.QuarantinedWorkers} are stuck in native code past a deadline, more than Workers:MaxQuarantinedWorkers ({pool.Options.MaxQuarantinedWorkers}), so no replacement starts until one returns. Restarting the process recovers them."
                : status.QuarantinedWorkers > 0 && pool.ReplacesStuckWorkersOnlyOnReturn
                    ? $"{status.Workers} of {status.TargetWorkers} workers are running: {status.QuarantinedWorkers} are stuck in native code past a deadline; on a free-threaded build with Workers:Isolation=Interpreter their replacements start once they return (creating a sub-interpreter stops every thread)."
                    : $"{status.Workers} of {status.TargetWorkers} workers are running; a replacement is starting."));
    }

    private static Ok<ServiceInfo> Info(PythonRuntime runtime, WorkerPool pool, IOptions<LimitsOptions> limits, ApiKeyStore keys,
        SessionStore sessions, IOptions<StreamingOptions> streaming)
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
                info.Installation.Origin,
                info.MemoryLimitBytes / (1024 * 1024)),
            new WorkerInfo(status.Workers, status.BusyWorkers, status.QueuedJobs, workers.QueueCapacity, status.QuarantinedWorkers,
                workers.MaxQuarantinedWorkers, status.Parallel, workers.Isolation == WorkerIsolation.Interpreter ? "interpreter" : "shared"),
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
            new AuthInfo(keys.IsEnabled, keys.IsEnabled ? "api-key" : keys.AllowAnonymousNonLoopback ? "anonymous" : "anonymous-loopback-only"),
            Sessions(sessions),
            Host));
    }

    private static readonly HostInfo Host = new(Environment.Version.ToString(), System.Runtime.GCSettings.IsServerGC ? "server" : "workstation");

    private static SessionInfo Sessions(SessionStore store)
    {
        var o = store.Options;
        return new SessionInfo(store.Count, o.MaxSessions, o.MaxSessionsPerOwner, (long)o.DefaultIdleTimeout.TotalMilliseconds,
            (long)o.MaxIdleTimeout.TotalMilliseconds, (long)o.MaxLifetime.TotalMilliseconds, o.MaxQueuedPerSession, o.MaxFilesBytes,
            o.MaxUploadBytes, o.ReplicaUrl, SessionEndpoints.OfferedIsolations(store));
    }
}
