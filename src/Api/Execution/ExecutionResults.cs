using Sidewinder.Api.Logging;
using Sidewinder.Interop;
using Sidewinder.Workers;

namespace Sidewinder.Api.Execution;

/// <summary>Maps a <see cref="JobResult"/> to its HTTP response: 200 with the result, or a problem with the matching status.</summary>
internal static class ExecutionResults
{
    /// <summary>Non-standard status (nginx's convention) recorded when the client disconnected; nobody receives it.</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>Seconds suggested in <c>Retry-After</c> when the service is saturated or shutting down.</summary>
    public const int RetryAfterSeconds = 1;

    private static readonly HashSet<string> SyntaxErrorTypes = ["SyntaxError", "IndentationError", "TabError"];

    public static IResult ToHttpResult(HttpContext context, PythonJob job, JobResult result)
    {
        RequestJobInfo.Set(context, result.JobId, OutcomeName(result.Outcome));
        var reply = ToReply(job, result);
        if (reply.Problem is not { } problem)
        {
            return TypedResults.Ok(reply.Response);
        }
        if (reply.Status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return TypedResults.Json(problem, statusCode: reply.Status, contentType: ProblemTypes.ContentType);
    }

    /// <summary>The response body and status for a finished job, whatever carries it (HTTP, an MCP tool result).</summary>
    public static ExecutionReply ToReply(PythonJob job, JobResult result)
    {
        if (result.Outcome == JobOutcome.Ok)
        {
            return new ExecutionReply(StatusCodes.Status200OK, Outcomes.Ok, new ExecutionResponse
            {
                JobId = result.JobId,
                Outcome = Outcomes.Ok,
                Value = RawJsonValue.FromUtf8(result.ValueJson),
                ValueType = result.ValueType,
                Variables = result.Variables,
                Stdout = result.Stdout,
                StdoutTruncated = result.StdoutTruncated,
                Stderr = result.Stderr,
                StderrTruncated = result.StderrTruncated,
                Outputs = Outputs(result),
                OutputsTruncated = result.OutputsTruncated,
                Timings = Timings(result),
            }, null);
        }

        var error = result.Error ?? new JobError(JobErrorTypes.Internal, "The job failed without details.");
        var (status, problemType, title, outcome) = Classify(job, result.Outcome, error);
        var problem = new ExecutionProblem
        {
            Type = problemType,
            Title = title,
            Status = status,
            Detail = error.Type.StartsWith("sidewinder.", StringComparison.Ordinal) ? error.Message : error.Type + ": " + error.Message,
            Outcome = outcome,
            JobId = result.JobId,
            Error = ToPythonError(error),
            Stdout = result.Stdout,
            StdoutTruncated = result.StdoutTruncated,
            Stderr = result.Stderr,
            StderrTruncated = result.StderrTruncated,
            Outputs = Outputs(result),
            OutputsTruncated = result.OutputsTruncated,
            Timings = Timings(result),
        };
        return new ExecutionReply(status, outcome, null, problem);
    }

    private static (int Status, string Type, string Title, string Outcome) Classify(PythonJob job, JobOutcome outcome, JobError error) => outcome switch
    {
        JobOutcome.Timeout => (StatusCodes.Status504GatewayTimeout, ProblemTypes.Timeout, "The code ran past its deadline", Outcomes.Timeout),
        JobOutcome.Rejected when error.Type == JobErrorTypes.SessionBusy
            => (StatusCodes.Status429TooManyRequests, ProblemTypes.SessionBusy, "The session is busy; retry when it is idle", Outcomes.Rejected),
        JobOutcome.Rejected => (StatusCodes.Status503ServiceUnavailable, ProblemTypes.Unavailable, "The service cannot take the job now; retry later", Outcomes.Rejected),
        JobOutcome.Cancelled when error.Type == JobErrorTypes.ShuttingDown
            => (StatusCodes.Status503ServiceUnavailable, ProblemTypes.Unavailable, "The service shut down before the job ran; retry", Outcomes.Cancelled),
        JobOutcome.Cancelled when error.Type == JobErrorTypes.Interrupted
            => (StatusCodes.Status409Conflict, ProblemTypes.Interrupted, "The execution was interrupted", Outcomes.Cancelled),
        JobOutcome.Cancelled => (ClientClosedRequest, ProblemTypes.Cancelled, "The client cancelled the request", Outcomes.Cancelled),
        _ when error.Type == JobErrorTypes.InvalidJob => (StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "The request is invalid", Outcomes.Invalid),
        _ when IsSyntaxErrorInRequest(job, error) => (StatusCodes.Status400BadRequest, ProblemTypes.SyntaxError, "The code has a syntax error", Outcomes.Error),
        _ when error.Type == JobErrorTypes.Conversion => (StatusCodes.Status422UnprocessableEntity, ProblemTypes.Conversion, "A value cannot be converted between JSON and Python", Outcomes.Error),
        _ when error.Type == JobErrorTypes.Internal => (StatusCodes.Status500InternalServerError, ProblemTypes.Internal, "Internal error while running the job", Outcomes.Error),
        _ => (StatusCodes.Status422UnprocessableEntity, ProblemTypes.PythonError, "The code raised an exception", Outcomes.Error),
    };

    /// <summary>The request's own code failed to compile (not a SyntaxError raised while it ran, or in a called module).</summary>
    private static bool IsSyntaxErrorInRequest(PythonJob job, JobError error) =>
        job is EvalJob or RunJob && SyntaxErrorTypes.Contains(error.Type) && error.Line is not null && error.Frames.Count == 0;

    public static string OutcomeName(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Ok => Outcomes.Ok,
        JobOutcome.Error => Outcomes.Error,
        JobOutcome.Timeout => Outcomes.Timeout,
        JobOutcome.Cancelled => Outcomes.Cancelled,
        _ => Outcomes.Rejected,
    };

    private static PythonError ToPythonError(JobError error) => new()
    {
        Type = error.Type,
        Message = error.Message,
        Line = error.Line,
        Offset = error.Offset,
        Text = error.Text,
        Frames = [.. error.Frames.Select(static (PythonFrame f) => new TracebackFrame(f.File, f.Line, f.Function, f.Source))],
        Traceback = error.Traceback,
    };

    private static OutputItem[] Outputs(JobResult result) =>
        result.Outputs.Count == 0 ? [] : [.. result.Outputs.Select(static o => new OutputItem(o.Type, o.Data, o.Metadata))];

    private static ExecutionTimings Timings(JobResult result) =>
        new(Math.Round(result.QueueWait.TotalMilliseconds, 3), Math.Round(result.Execution.TotalMilliseconds, 3));
}

/// <summary>A finished job as a status and either the 200 body or the problem.</summary>
/// <param name="Status">The HTTP status the job maps to.</param>
/// <param name="Outcome">The <c>outcome</c> field (see <see cref="Outcomes"/>).</param>
/// <param name="Response">The body when the job completed.</param>
/// <param name="Problem">The problem otherwise.</param>
internal sealed record ExecutionReply(int Status, string Outcome, ExecutionResponse? Response, ExecutionProblem? Problem);
