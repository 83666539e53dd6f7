namespace Sidewinder.Api.Execution;

/// <summary>Problem responses for requests that never became a job (invalid, too large, unauthorised, rate limited).</summary>
internal static class Problems
{
    public static ExecutionProblem Create(int status, string type, string title, string detail, string outcome) => new()
    {
        Status = status,
        Type = type,
        Title = title,
        Detail = detail,
        Outcome = outcome,
    };

    public static IResult Invalid(string detail) => Result(Create(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest,
        "The request is invalid", detail, Outcomes.Invalid));

    public static IResult TooLarge(string detail) => Result(Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.TooLarge,
        "The request is too large", detail, Outcomes.Invalid));

    /// <summary>415 <c>unsupported-media-type</c>: the body's type, charset or encoding is not one the service reads.</summary>
    public static ExecutionProblem UnsupportedMediaType(string detail) => Create(StatusCodes.Status415UnsupportedMediaType,
        ProblemTypes.UnsupportedMediaType, "Unsupported media type", detail, Outcomes.Invalid);

    /// <summary>404 <c>file-not-found</c>: the session exists, the file does not.</summary>
    public static ExecutionProblem FileNotFound(string detail) => Create(StatusCodes.Status404NotFound, ProblemTypes.FileNotFound,
        "No such file", detail, Outcomes.Invalid);

    public static IResult Result(ExecutionProblem problem) =>
        TypedResults.Json(problem, statusCode: problem.Status, contentType: ProblemTypes.ContentType);

    /// <summary>Writes a problem outside an endpoint (middleware, authentication, rate limiter).</summary>
    public static Task WriteAsync(HttpContext context, ExecutionProblem problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        var json = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>();
        return context.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, ProblemTypes.ContentType, context.RequestAborted);
    }
}
