using Microsoft.Extensions.Options;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Logging;
using Sidewinder.Api.OpenApi;
using Sidewinder.Api.Security;
using Sidewinder.Workers;

namespace Sidewinder.Api.Execution;

/// <summary>POST /eval, /run and /call: HTTP in, job on the pool, HTTP out.</summary>
internal static class ExecutionEndpoints
{
    public static IEndpointRouteBuilder MapExecutionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("")
            .WithTags("Execution")
            .RequireAuthorization(ApiKeyDefaults.ExecutePolicy);
        // With the limit off the endpoints carry no policy, so the rate limiter middleware does no work per request.
        if (app.ServiceProvider.GetRequiredService<IOptions<LimitsOptions>>().Value.RateLimitPermitsPerSecond > 0)
        {
            group.RequireRateLimiting(RateLimitingExtensions.PolicyName);
        }

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
        SubmitAsync(context, pool, ValidateCode(request.Code, limits.Value) ?? ValidateTimeout(request.TimeoutMs),
            () => new EvalJob(request.Code) { Variables = request.Variables, Timeout = Timeout(request.TimeoutMs) });

    private static Task<IResult> RunAsync(RunRequest request, HttpContext context, WorkerPool pool, IOptions<LimitsOptions> limits) =>
        SubmitAsync(context, pool, ValidateCode(request.Code, limits.Value) ?? ValidateTimeout(request.TimeoutMs),
            () => new RunJob(request.Code) { Variables = request.Variables, ReturnVariables = request.ReturnVariables, Timeout = Timeout(request.TimeoutMs) });

    private static Task<IResult> CallAsync(CallRequest request, HttpContext context, WorkerPool pool) =>
        SubmitAsync(context, pool, ValidateName("module", request.Module) ?? ValidateName("function", request.Function) ?? ValidateTimeout(request.TimeoutMs),
            () => new CallJob(request.Module, request.Function) { Args = request.Args, Kwargs = request.Kwargs, Timeout = Timeout(request.TimeoutMs) });

    private static async Task<IResult> SubmitAsync(HttpContext context, WorkerPool pool, IResult? invalid, Func<PythonJob> createJob)
    {
        if (invalid is not null)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return invalid;
        }
        var job = createJob();
        // RequestAborted skips the job if it has not started and interrupts it if it has.
        var result = await pool.SubmitAsync(job, context.RequestAborted).ConfigureAwait(false);
        return ExecutionResults.ToHttpResult(context, job, result);
    }

    private static IResult? ValidateCode(string code, LimitsOptions limits)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return Problems.Invalid("'code' must not be empty.");
        }
        if (code.Length > limits.MaxCodeChars)
        {
            return Problems.TooLarge($"'code' has {code.Length} characters; the limit is {limits.MaxCodeChars} (Limits:MaxCodeChars).");
        }
        var nul = code.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0
            ? Problems.Invalid($"'code' contains a NUL character (U+0000) at position {nul}; Python source cannot contain null bytes.")
            : null;
    }

    private static IResult? ValidateName(string field, string value) =>
        string.IsNullOrWhiteSpace(value) ? Problems.Invalid($"'{field}' must not be empty.") : null;

    private static IResult? ValidateTimeout(int? timeoutMs) =>
        timeoutMs is <= 0 ? Problems.Invalid($"'timeoutMs' must be positive (is {timeoutMs}); leave it out for the default.") : null;

    private static TimeSpan? Timeout(int? timeoutMs) => timeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
