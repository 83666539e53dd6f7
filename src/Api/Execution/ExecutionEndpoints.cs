using Microsoft.Extensions.Options;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Logging;
using Sidewinder.Api.OpenApi;
using Sidewinder.Api.Security;
using Sidewinder.Api.Streaming;
using Sidewinder.Workers;

namespace Sidewinder.Api.Execution;

/// <summary>POST /eval, /run and /call: HTTP in, job on the pool, HTTP out.</summary>
internal static class ExecutionEndpoints
{
    public static IEndpointRouteBuilder MapExecutionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("")
            .WithTags("Execution")
            .RequireAuthorization(ApiKeyDefaults.ExecutePolicy)
            .RequireClientRateLimit(app);

        group.MapPost("/eval", EvalAsync)
            .WithName("Eval")
            .WithSummary("Evaluate one Python expression")
            .WithDescription("Evaluates `code` as a single expression in a fresh namespace (with `variables` bound as globals) " +
                "and returns its value as JSON, its Python type, captured output and timings.")
            .ProducesExecutionResponses()
            .WithMetadata(new ExampleMetadata(Examples.EvalRequest, Examples.EvalOk));

        group.MapPost("/run", RunAsync)
            .WithName("Run")
            .WithSummary("Run Python statements like a notebook cell")
            .WithDescription("Runs `code` (statements) in a fresh namespace. Returns stdout and stderr, the value of a final bare " +
                "expression if there is one, and the values of the globals named in `returnVariables`.")
            .ProducesExecutionResponses()
            .WithMetadata(new ExampleMetadata(Examples.RunRequest, Examples.RunOk));

        group.MapPost("/call", CallAsync)
            .WithName("Call")
            .WithSummary("Call a function from a script or an installed module")
            .WithDescription("Imports `module` (a `.py` file in the scripts directory, `Workers:ScriptsDirectory`, or an installed " +
                "module; cached, and reloaded when the script file changes) and calls `function(*args, **kwargs)`. With " +
                "`Workers:CallModules=Scripts` only functions and classes that the scripts themselves define can be called; " +
                "anything else is 400 `invalid-request`.")
            .ProducesExecutionResponses()
            .WithMetadata(new ExampleMetadata(Examples.CallRequest, Examples.CallOk));
        return app;
    }

    private static Task<IResult> EvalAsync(EvalRequest request, HttpContext context, WorkerPool pool, IOptions<LimitsOptions> limits) =>
        SubmitAsync(context, pool, Problem(Check(request, limits.Value)), () => ToJob(request));

    private static Task<IResult> RunAsync(RunRequest request, HttpContext context, WorkerPool pool, IOptions<LimitsOptions> limits) =>
        SubmitAsync(context, pool, Problem(Check(request, limits.Value)), () => ToJob(request));

    private static Task<IResult> CallAsync(CallRequest request, HttpContext context, WorkerPool pool) =>
        SubmitAsync(context, pool, Problem(Check(request)), () => ToJob(request));

    // The checks and jobs of the three request shapes, shared with the session endpoints (same shapes, same rules).
    internal static RequestError? Check(EvalRequest request, LimitsOptions limits) =>
        RequestError.Code(request.Code, limits.MaxCodeChars) ?? RequestError.Timeout(request.TimeoutMs);

    internal static RequestError? Check(RunRequest request, LimitsOptions limits) =>
        RequestError.Code(request.Code, limits.MaxCodeChars) ?? RequestError.Timeout(request.TimeoutMs);

    internal static RequestError? Check(CallRequest request) =>
        RequestError.Name("module", request.Module) ?? RequestError.Name("function", request.Function) ?? RequestError.Timeout(request.TimeoutMs);

    internal static EvalJob ToJob(EvalRequest request) =>
        new(request.Code) { Variables = request.Variables, Timeout = RequestError.Deadline(request.TimeoutMs) };

    internal static RunJob ToJob(RunRequest request) =>
        new(request.Code) { Variables = request.Variables, ReturnVariables = request.ReturnVariables, Timeout = RequestError.Deadline(request.TimeoutMs) };

    internal static CallJob ToJob(CallRequest request) =>
        new(request.Module, request.Function) { Args = request.Args, Kwargs = request.Kwargs, Timeout = RequestError.Deadline(request.TimeoutMs) };

    private static async Task<IResult> SubmitAsync(HttpContext context, WorkerPool pool, IResult? invalid, Func<PythonJob> createJob)
    {
        if (invalid is not null)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return invalid;
        }
        var job = createJob();
        if (EventStreams.IsRequested(context))
        {
            return await EventStreams.StartAsync(context, job, pool.SubmitAsync).ConfigureAwait(false);
        }
        // RequestAborted skips the job if it has not started and interrupts it if it has.
        var result = await pool.SubmitAsync(job, context.RequestAborted).ConfigureAwait(false);
        return ExecutionResults.ToHttpResult(context, job, result);
    }

    internal static IResult? Problem(RequestError? error) => error switch
    {
        null => null,
        { TooLarge: true } => Problems.TooLarge(error.Message),
        _ => Problems.Invalid(error.Message),
    };
}
