using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Sidewinder.Client;

/// <summary>Reads a run's Server-Sent Events (with .NET's <see cref="SseParser"/>) into typed events.</summary>
internal static class EventStream
{
    public static async IAsyncEnumerable<ExecutionEvent> ReadAsync(HttpClient http, string path, HttpContent content,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Accept.ParseAdd("text/event-stream");
        // Headers only: the body is read as it arrives. Disposing the response closes the connection.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Problem.ToException((int)response.StatusCode, body, response.Headers.RetryAfter);
            }
            // A server without streaming answered with the plain result: one event.
            yield return new ResultEvent(Deserialize<ExecutionResult>(body));
            yield break;
        }
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (item.EventType)
            {
                case "stdout" or "stderr":
                    yield return new OutputEvent(item.EventType, Deserialize<TextData>(item.Data).Text);
                    break;
                case "display":
                    yield return new DisplayEvent(Deserialize<DisplayOutput>(item.Data));
                    break;
                case "log":
                    yield return Deserialize<LogEvent>(item.Data);
                    break;
                case "result":
                    yield return new ResultEvent(Deserialize<ExecutionResult>(item.Data));
                    yield break;
                case "error":
                    using (var problem = JsonDocument.Parse(item.Data))
                    {
                        var status = problem.RootElement.TryGetProperty("status", out var value) && value.TryGetInt32(out var code) ? code : 500;
                        throw Problem.ToException(status, item.Data, null);
                    }
                default:
                    break; // keepalive, and event types a newer service may add
            }
        }
        throw new IOException("The service closed the event stream before its final event.");
    }

    private static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, SidewinderJson.Options) ?? throw new JsonException("An event has an empty body.");

    private sealed record TextData(string Text);
}
