using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Logging;
using Sidewinder.Workers;

namespace Sidewinder.Api.Mcp;

/// <summary>Runs an MCP tool's job through the worker pool's submission path, the same as the HTTP endpoints, and turns
/// the reply into a tool result: the HTTP response's JSON as text and structured content, or, for anything but a
/// completed job, a tool error (<c>isError</c>) whose text is the problem's detail, traceback and output so far.</summary>
internal sealed class ToolJobRunner(WorkerPool pool, IHttpContextAccessor http, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    private JsonSerializerOptions Json => json.Value.SerializerOptions;

    /// <param name="invalid">Why the arguments are invalid, or null to run the job.</param>
    /// <param name="createJob">Creates the job once the arguments are valid.</param>
    /// <param name="cancellationToken">The MCP request's cancellation; the HTTP request's abort is linked in, so a client
    /// that disconnects skips a queued job and interrupts a running one.</param>
    public Task<CallToolResult> RunAsync(string? invalid, Func<PythonJob> createJob, CancellationToken cancellationToken) =>
        RunAsync(invalid, createJob, pool.SubmitAsync, cancellationToken);

    /// <summary>As the other overload, with the job going through <paramref name="submit"/> (a session's queue).</summary>
    public async Task<CallToolResult> RunAsync(string? invalid, Func<PythonJob> createJob, Func<PythonJob, CancellationToken, Task<JobResult>> submit,
        CancellationToken cancellationToken)
    {
        if (invalid is not null)
        {
            return Invalid(invalid);
        }
        var context = http.HttpContext;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context?.RequestAborted ?? default);
        var job = createJob();
        var result = await submit(job, linked.Token).ConfigureAwait(false);
        if (context is not null)
        {
            RequestJobInfo.Set(context, result.JobId, ExecutionResults.OutcomeName(result.Outcome));
        }
        var reply = ExecutionResults.ToReply(job, result);
        return reply.Problem is { } failed ? Error(failed) : Success(reply.Response!);
    }

    /// <summary>A tool error for arguments that never became a job (the HTTP endpoints' 400 <c>invalid-request</c>).</summary>
    public CallToolResult Invalid(string detail)
    {
        if (http.HttpContext is { } context)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
        }
        return Error(Problems.Create(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "The request is invalid", detail, Outcomes.Invalid));
    }

    /// <summary>A tool result whose text and structured content are <paramref name="response"/> as the HTTP API's JSON.</summary>
    public CallToolResult Success(object response)
    {
        var body = JsonSerializer.SerializeToElement(response, response.GetType(), Json);
        var images = response is ExecutionResponse { Outputs: { } outputs } ? ToolImages.Of(outputs) : [];
        var text = images.Count == 0 ? body.GetRawText() : ToolImages.WithoutImageData(body);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }, .. images],
            StructuredContent = body,
        };
    }

    /// <summary>A tool error carrying <paramref name="problem"/>.</summary>
    public CallToolResult Error(ExecutionProblem problem) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = Render(problem) }, .. ToolImages.Of(problem.Outputs)],
        StructuredContent = JsonSerializer.SerializeToElement(problem, Json),
    };

    /// <summary>What an agent (or a person) needs to fix the code: the problem, where it happened, and what it printed.</summary>
    internal static string Render(ExecutionProblem problem)
    {
        var text = new StringBuilder();
        text.Append(problem.Title).Append(" (").Append(problem.Outcome).Append("): ").AppendLine(problem.Detail);
        if (problem.Error is { } error)
        {
            if (error.Line is { } line)
            {
                text.Append("line ").Append(line).Append(", column ").Append(error.Offset ?? 0).Append(": ").AppendLine(error.Text?.TrimEnd());
            }
            if (!string.IsNullOrEmpty(error.Traceback))
            {
                text.AppendLine().AppendLine(error.Traceback.TrimEnd());
            }
        }
        AppendStream(text, "stdout", problem.Stdout, problem.StdoutTruncated);
        AppendStream(text, "stderr", problem.Stderr, problem.StderrTruncated);
        return text.ToString().TrimEnd();
    }

    private static void AppendStream(StringBuilder text, string name, string output, bool truncated)
    {
        if (output.Length > 0)
        {
            text.AppendLine().Append("--- ").Append(name).AppendLine(truncated ? " (truncated) ---" : " ---").AppendLine(output.TrimEnd());
        }
    }
}
