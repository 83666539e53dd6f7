using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Logging;
using Sidewinder.Api.OpenApi;
using Sidewinder.Api.Security;
using Sidewinder.Api.Streaming;
using Sidewinder.Workers;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Sessions;

/// <summary>The <c>/sessions</c> endpoints: create, list, inspect, delete, interrupt, and run/eval/call in a session.</summary>
internal static class SessionEndpoints
{
    public const string Restart = " Sessions live in this replica's memory: a restart or shutdown ends them all, with their files.";

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sessions")
            .WithTags("Sessions")
            .RequireAuthorization(ApiKeyDefaults.SessionsPolicy)
            .RequireClientRateLimit(app);

        group.MapPost("", CreateAsync)
            .WithName("CreateSession")
            .WithSummary("Create a session: Python state that lives across requests")
            .WithDescription("Creates a session whose globals (variables, imports, functions, classes) persist across its " +
                "`run`, `eval` and `call` requests, with its own directory of files (`SESSION_DIR` in its globals). Optional " +
                "initial `variables`, `idleTimeoutMs` (capped by `Sessions:MaxIdleTimeout`) and `isolation`: `shared` (default, the " +
                "main interpreter) or `interpreter` (a sub-interpreter of its own with its own GIL and `sys.modules`, CPython 3.12+; " +
                "400 `invalid-request` on 3.11). 429 `session-limit` when this " +
                "caller holds `Sessions:MaxSessionsPerOwner` sessions, 503 `session-limit` at `Sessions:MaxSessions`." + Restart)
            .Produces<SessionResponse>(StatusCodes.Status201Created)
            .ProducesSessionProblems(400, 401, 403, 413, 422, 429, 503)
            .WithMetadata(new ExampleMetadata(SessionExamples.CreateRequest, SessionExamples.Created, SessionExamples.CreateProblems));

        group.MapGet("", List)
            .WithName("ListSessions")
            .WithSummary("List the caller's sessions")
            .WithDescription("The sessions created with the caller's API key (or, without keys, by any loopback caller), oldest first.")
            .Produces<SessionListResponse>()
            .ProducesSessionProblems(401, 403)
            .WithMetadata(new ExampleMetadata(null, SessionExamples.List));

        group.MapGet("/{id}", Get)
            .WithName("GetSession")
            .WithSummary("A session's state and the names and types of its globals")
            .WithDescription("State (`idle`/`busy`), creation, last use, expiry, executions, queued executions, bytes of files, " +
                "and the globals after the last execution as names with Python types (never values). 404 `session-not-found` " +
                "for an unknown, ended or another key's session.")
            .Produces<SessionResponse>()
            .ProducesSessionProblems(401, 403, 404)
            .WithMetadata(new ExampleMetadata(null, SessionExamples.Details, SessionExamples.NotFoundProblems));

        group.MapDelete("/{id}", Delete)
            .WithName("DeleteSession")
            .WithSummary("End a session now")
            .WithDescription("Ends the session at once: a running execution is interrupted (its request gets 409 `interrupted`), " +
                "waiting ones get 409 too, and its globals and files are freed.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesSessionProblems(401, 403, 404)
            .WithMetadata(new ExampleMetadata(null, null, SessionExamples.NotFoundProblems));

        group.MapPost("/{id}/interrupt", Interrupt)
            .WithName("InterruptSession")
            .WithSummary("Stop the running execution, keep the state")
            .WithDescription("Stops the session's running execution as a deadline would (at the next bytecode boundary; code " +
                "stuck in C is abandoned after `Workers:InterruptGracePeriod`) and keeps the session's globals, like Jupyter's " +
                "interrupt. The interrupted request gets 409 `interrupted` with its output so far. `interrupted` is false when " +
                "nothing was running.")
            .Produces<InterruptResponse>()
            .ProducesSessionProblems(401, 403, 404)
            .WithMetadata(new ExampleMetadata(null, new InterruptResponse(true), SessionExamples.NotFoundProblems));

        const string Execution = " Runs after the session's earlier requests, one at a time, on any free worker; time spent waiting " +
            "for them counts against `timeoutMs`. 429 `session-busy` (with `Retry-After`) when `Sessions:MaxQueuedPerSession` " +
            "requests already wait; 409 `interrupted` when an interrupt or a delete stopped it.";
        group.MapPost("/{id}/eval", EvalAsync)
            .WithName("SessionEval")
            .WithSummary("Evaluate an expression in a session")
            .WithDescription("As `POST /eval`, in the session's globals." + Execution)
            .ProducesSessionExecutionResponses()
            .WithMetadata(new ExampleMetadata(SessionExamples.EvalRequest, SessionExamples.EvalOk, SessionExamples.ExecutionProblems));
        group.MapPost("/{id}/run", RunAsync)
            .WithName("SessionRun")
            .WithSummary("Run a cell in a session")
            .WithDescription("As `POST /run`, in the session's globals: what the cell binds (variables, imports, functions) stays " +
                "for the next request, and a final bare expression's value is also bound to `_`." + Execution)
            .ProducesSessionExecutionResponses()
            .WithMetadata(new ExampleMetadata(SessionExamples.RunRequest, SessionExamples.RunOk, SessionExamples.ExecutionProblems));
        group.MapPost("/{id}/call", CallAsync)
            .WithName("SessionCall")
            .WithSummary("Call a function in a session")
            .WithDescription("As `POST /call`; `module` `__main__` calls a function the session itself defined." + Execution)
            .ProducesSessionExecutionResponses()
            .WithMetadata(new ExampleMetadata(SessionExamples.CallRequest, SessionExamples.EvalOk, SessionExamples.ExecutionProblems));
        group.MapSessionFileEndpoints();
        return app;
    }

    /// <summary>Whose sessions a request may see: the API key's name, or one shared anonymous owner (without keys only
    /// loopback callers get this far, unless Auth:AllowAnonymousNonLoopback).</summary>
    public static string Owner(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { } name } ? "key:" + name : "anonymous";

    private static async Task<IResult> CreateAsync(CreateSessionRequest? request, HttpContext context, SessionStore store)
    {
        if (request?.IdleTimeoutMs is <= 0)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return Problems.Invalid($"'idleTimeoutMs' must be positive (is {request.IdleTimeoutMs}); leave it out for the default.");
        }
        if (ParseIsolation(request?.Isolation) is not { } isolation)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return Problems.Invalid(InvalidIsolation(request!.Isolation!));
        }
        var idle = request?.IdleTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(Math.Min(ms, (long)TimeSpan.MaxValue.TotalMilliseconds / 2)) : (TimeSpan?)null;
        var created = await store.CreateAsync(Owner(context), request?.Variables, idle, isolation, context.RequestAborted).ConfigureAwait(false);
        if (created.Session is { } session)
        {
            RequestJobInfo.Set(context, null, Outcomes.Ok);
            return TypedResults.Created("/sessions/" + session.Id, ToResponse(session, store, details: false));
        }
        if (created.InitResult is { } init)
        {
            return ExecutionResults.ToHttpResult(context, new RunJob(""), init);
        }
        if (created.Failure == SessionCreateFailure.IsolationUnavailable)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return Problems.Invalid(created.Message!);
        }
        RequestJobInfo.Set(context, null, Outcomes.Rejected);
        context.Response.Headers.RetryAfter = ExecutionResults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return created.Failure switch
        {
            SessionCreateFailure.TooManyForOwner => Problems.Result(Problems.Create(StatusCodes.Status429TooManyRequests,
                ProblemTypes.SessionLimit, "Too many sessions for this caller", created.Message!, Outcomes.Rejected)),
            SessionCreateFailure.TooManySessions => Problems.Result(Problems.Create(StatusCodes.Status503ServiceUnavailable,
                ProblemTypes.SessionLimit, "The service holds as many sessions as it may", created.Message!, Outcomes.Rejected)),
            _ => Problems.Result(Problems.Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.Unavailable,
                "The service cannot create sessions now", created.Message ?? "", Outcomes.Rejected)),
        };
    }

    private static Ok<SessionListResponse> List(HttpContext context, SessionStore store) =>
        TypedResults.Ok(new SessionListResponse([.. store.List(Owner(context)).Select(s => ToResponse(s, store, details: false))]));

    private static IResult Get(string id, HttpContext context, SessionStore store) =>
        store.Find(id, Owner(context)) is { } session ? TypedResults.Ok(ToResponse(session, store, details: true)) : NotFound(context);

    private static IResult Delete(string id, HttpContext context, SessionStore store) =>
        store.Delete(id, Owner(context)) ? TypedResults.NoContent() : NotFound(context);

    private static IResult Interrupt(string id, HttpContext context, SessionStore store) =>
        store.Interrupt(id, Owner(context)) is { } interrupted ? TypedResults.Ok(new InterruptResponse(interrupted)) : NotFound(context);

    private static Task<IResult> EvalAsync(string id, EvalRequest request, HttpContext context, SessionStore store, IOptions<LimitsOptions> limits) =>
        SubmitAsync(id, context, store, ExecutionEndpoints.Check(request, limits.Value), () => ExecutionEndpoints.ToJob(request));

    private static Task<IResult> RunAsync(string id, RunRequest request, HttpContext context, SessionStore store, IOptions<LimitsOptions> limits) =>
        SubmitAsync(id, context, store, ExecutionEndpoints.Check(request, limits.Value), () => ExecutionEndpoints.ToJob(request));

    private static Task<IResult> CallAsync(string id, CallRequest request, HttpContext context, SessionStore store) =>
        SubmitAsync(id, context, store, ExecutionEndpoints.Check(request), () => ExecutionEndpoints.ToJob(request));

    private static async Task<IResult> SubmitAsync(string id, HttpContext context, SessionStore store, RequestError? invalid, Func<PythonJob> createJob)
    {
        if (store.Find(id, Owner(context)) is not { } session)
        {
            return NotFound(context);
        }
        if (ExecutionEndpoints.Problem(invalid) is { } problem)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return problem;
        }
        var job = createJob();
        if (EventStreams.IsRequested(context))
        {
            return await EventStreams.StartAsync(context, job, (streamed, cancel) => store.SubmitAsync(session, streamed, cancel)).ConfigureAwait(false);
        }
        var result = await store.SubmitAsync(session, job, context.RequestAborted).ConfigureAwait(false);
        return ExecutionResults.ToHttpResult(context, job, result);
    }

    public static IResult NotFound(HttpContext context)
    {
        RequestJobInfo.Set(context, null, Outcomes.Invalid);
        return Problems.Result(Problems.Create(StatusCodes.Status404NotFound, ProblemTypes.SessionNotFound, "No such session",
            "There is no session with this id for this caller: it never existed, it ended (deleted, expired, or the service restarted), or another API key owns it.",
            Outcomes.Invalid));
    }

    /// <summary>The session isolation a request names (<c>shared</c>, the default, or <c>interpreter</c>, any case); null
    /// for another value.</summary>
    internal static WorkerIsolation? ParseIsolation(string? value) => value switch
    {
        null => WorkerIsolation.Shared,
        _ when value.Equals(IsolationName(WorkerIsolation.Shared), StringComparison.OrdinalIgnoreCase) => WorkerIsolation.Shared,
        _ when value.Equals(IsolationName(WorkerIsolation.Interpreter), StringComparison.OrdinalIgnoreCase) => WorkerIsolation.Interpreter,
        _ => null,
    };

    internal static string InvalidIsolation(string value) =>
        $"'isolation' must be 'shared' (the main interpreter, the default) or 'interpreter' (a sub-interpreter of its own); got '{value}'.";

    internal static string IsolationName(WorkerIsolation isolation) => isolation == WorkerIsolation.Interpreter ? "interpreter" : "shared";

    /// <summary>The isolations <c>POST /sessions</c> takes on this runtime (for <c>/info</c>).</summary>
    internal static IReadOnlyList<string> OfferedIsolations(SessionStore store) => store.SupportsInterpreterIsolation
        ? [IsolationName(WorkerIsolation.Shared), IsolationName(WorkerIsolation.Interpreter)]
        : [IsolationName(WorkerIsolation.Shared)];

    public static SessionResponse ToResponse(PythonSession session, SessionStore store, bool details) => new()
    {
        Isolation = IsolationName(session.Isolation),
        Id = session.Id,
        State = session.State == SessionState.Busy ? "busy" : "idle",
        CreatedAt = session.CreatedAt,
        LastUsedAt = session.LastUsedAt,
        ExpiresAt = session.ExpiresAt,
        EndsAt = session.EndsAt,
        IdleTimeoutMs = (long)session.IdleTimeout.TotalMilliseconds,
        Executions = session.Executions,
        Queued = session.Queued,
        FilesBytes = session.Files.UsedBytes(),
        ReplicaUrl = store.Options.ReplicaUrl,
        Variables = details ? session.Variables : null,
        VariableCount = details ? session.VariableCount : null,
    };

    internal static RouteHandlerBuilder ProducesSessionProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<ExecutionProblem>(status, ProblemTypes.ContentType);
        }
        return builder;
    }

    private static RouteHandlerBuilder ProducesSessionExecutionResponses(this RouteHandlerBuilder builder) =>
        builder.ProducesExecutionResponses().ProducesSessionProblems(404, 409);
}
