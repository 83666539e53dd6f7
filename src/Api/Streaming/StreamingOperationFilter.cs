using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Sidewinder.Api.Streaming;

/// <summary>Documents the <c>text/event-stream</c> form of a 200 response: which events come, in what order, with what data.</summary>
internal sealed class StreamingOperationFilter : IOperationFilter
{
    internal const string Description =
        "With `Accept: text/event-stream` the answer is a stream of Server-Sent Events while the code runs: " +
        "`stdout` and `stderr` (`{\"text\": ...}`, chunks merged when the client falls behind), `display` (a rich output, " +
        "as in `outputs`), `log` (`{\"level\", \"levelNo\", \"logger\", \"message\"}`, Python logging records), `keepalive` " +
        "(`{}`, after `Streaming:KeepAliveInterval` of silence), and exactly one final event: `result` (the 200 body) or " +
        "`error` (the problem body, with the status it would have had in `status`). Either has `streamTruncated`: true when " +
        "events were dropped because the client read too slowly (past `Streaming:BufferChars`); the final body's output " +
        "fields are complete regardless. Errors known before the job starts (400, 401, 403, 413, 429, 503) are plain " +
        "problem responses. Closing the connection cancels the job.";

    private const string Example =
        "event: stdout\ndata: {\"text\":\"step 0\\n\"}\n\n" +
        "event: display\ndata: {\"type\":\"display\",\"data\":{\"text/plain\":\"<Figure size 640x480 with 1 Axes>\",\"image/png\":\"iVBORw0KGgo...\"},\"metadata\":{}}\n\n" +
        "event: log\ndata: {\"level\":\"WARNING\",\"levelNo\":30,\"logger\":\"root\",\"message\":\"almost done\"}\n\n" +
        "event: result\ndata: {\"jobId\":\"3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b\",\"outcome\":\"ok\",\"stdout\":\"step 0\\n\",\"streamTruncated\":false,...}\n\n";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse response
            || response.Content?.TryGetValue(EventStreams.ContentType, out var media) != true || media is not OpenApiMediaType stream)
        {
            return;
        }
        response.Description = (response.Description is { Length: > 0 } existing ? existing + ". " : "") + Description;
        stream.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Server-Sent Events (see the response description)." };
        stream.Example = JsonValue.Create(Example);
    }
}
