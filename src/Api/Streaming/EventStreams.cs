using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Logging;
using Sidewinder.Workers;

namespace Sidewinder.Api.Streaming;

/// <summary>Answers an execution request with Server-Sent Events while the job runs: its output as it happens, then
/// exactly one <c>result</c> or <c>error</c> event with the body the plain response would have had.</summary>
/// <remarks>
/// <para>Takes any job and the function that submits it, so every kind of run (stateless, a session's) streams the same
/// way. A job the pool refuses at once (queue full, shutting down: 503) gets the plain problem response, as do the
/// request checks that run before any job exists (400, 401, 403, 413, 429).</para>
/// <para>The worker writes into a bounded <see cref="JobEventBuffer"/> and never waits; this side drains it. The
/// request's abort token goes to the submission, so a client that disconnects cancels the job.</para>
/// <para>.NET's SSE writer has no way to write comment lines, so keep-alives are <c>keepalive</c> events, which clients
/// (<c>EventSource</c> listeners, the typed client) ignore.</para>
/// </remarks>
internal static class EventStreams
{
    public const string ContentType = "text/event-stream";

    /// <summary>True when the request asks for an event stream (<c>Accept: text/event-stream</c>).</summary>
    public static bool IsRequested(HttpContext context)
    {
        foreach (var value in context.Request.GetTypedHeaders().Accept)
        {
            if (value.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase) && value.Quality is not 0)
            {
                return true;
            }
        }
        return false;
    }

    public static async Task<IResult> StartAsync(HttpContext context, PythonJob job, Func<PythonJob, CancellationToken, Task<JobResult>> submit)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<StreamingOptions>>().Value;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var events = new JobEventBuffer(options.BufferChars);
        var streamed = job with { Events = events };
        var result = submit(streamed, context.RequestAborted);
        if (result.IsCompleted && (await result.ConfigureAwait(false)).Outcome == JobOutcome.Rejected)
        {
            return ExecutionResults.ToHttpResult(context, streamed, await result.ConfigureAwait(false));
        }
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.ServerSentEvents(Stream(context, streamed, events, result, options.KeepAliveInterval, json));
    }

    private static async IAsyncEnumerable<SseItem<string>> Stream(HttpContext context, PythonJob job, JobEventBuffer events,
        Task<JobResult> result, TimeSpan keepAlive, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var aborted = context.RequestAborted;
        // One timer until it fires (not one per wait): a job that prints a line a millisecond waits a thousand times a second.
        var tick = Task.Delay(keepAlive, aborted);
        while (true)
        {
            while (events.TryRead(out var item))
            {
                yield return ToItem(item, json);
            }
            if (events.IsCompleted)
            {
                if (events.TryRead(out var last))
                {
                    yield return ToItem(last, json);
                    continue;
                }
                break;
            }
            var ready = events.WaitAsync();
            if (await Task.WhenAny(ready, tick).ConfigureAwait(false) == tick)
            {
                if (aborted.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                {
                    break; // the client is gone; the job was cancelled through the same token
                }
                tick = Task.Delay(keepAlive, aborted);
                yield return new SseItem<string>("{}", StreamEventTypes.KeepAlive);
            }
        }
        var final = await result.ConfigureAwait(false);
        RequestJobInfo.Set(context, final.JobId, ExecutionResults.OutcomeName(final.Outcome));
        var reply = ExecutionResults.ToReply(job, final);
        var truncated = events.DroppedEvents > 0;
        if (reply.Problem is { } problem)
        {
            problem.StreamTruncated = truncated;
            yield return new SseItem<string>(JsonSerializer.Serialize(problem, json), StreamEventTypes.Error);
        }
        else
        {
            yield return new SseItem<string>(JsonSerializer.Serialize(reply.Response! with { StreamTruncated = truncated }, json), StreamEventTypes.Result);
        }
    }

    private static SseItem<string> ToItem(JobEvent item, JsonSerializerOptions json) => item.Kind switch
    {
        JobEventKind.Stdout => new(JsonSerializer.Serialize(new StreamText(item.Text), json), StreamEventTypes.Stdout),
        JobEventKind.Stderr => new(JsonSerializer.Serialize(new StreamText(item.Text), json), StreamEventTypes.Stderr),
        JobEventKind.Display => new(item.Text, StreamEventTypes.Display), // already the output's JSON
        _ => new(JsonSerializer.Serialize(new StreamLog(LevelName(item.Level), item.Level, item.Logger ?? "", item.Text), json), StreamEventTypes.Log),
    };

    private static string LevelName(int level) => level switch
    {
        10 => "DEBUG",
        20 => "INFO",
        30 => "WARNING",
        40 => "ERROR",
        50 => "CRITICAL",
        _ => "Level " + level.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
