using Sidewinder.Api.Execution;

namespace Sidewinder.Api.OpenApi;

/// <summary>Declares every response of the execution endpoints, so Swagger lists each status with its schema.</summary>
internal static class ExecutionMetadataExtensions
{
    /// <summary>The error statuses of the execution endpoints (each gets an example from <see cref="Examples.Problem"/>).</summary>
    public static readonly int[] ProblemStatuses = [400, 401, 403, 413, 422, 429, 503, 504];

    public static RouteHandlerBuilder ProducesExecutionResponses(this RouteHandlerBuilder group)
    {
        // One 200 with both forms (a second Produces for 200 would replace the first); StreamingOperationFilter
        // gives the event stream its own schema and description.
        group.Produces<ExecutionResponse>(StatusCodes.Status200OK, "application/json", Streaming.EventStreams.ContentType);
        foreach (var status in ProblemStatuses)
        {
            group.Produces<ExecutionProblem>(status, ProblemTypes.ContentType);
        }
        return group;
    }
}
