using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Sidewinder.Api.Tests.Streaming;

/// <summary>Posts with <c>Accept: text/event-stream</c> and reads the events one at a time, as they arrive.</summary>
internal sealed class EventStreamClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>>? _events;

    private EventStreamClient(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>>? events)
    {
        _response = response;
        _events = events;
    }

    public HttpResponseMessage Response => _response;

    public static async Task<EventStreamClient> PostAsync(HttpClient client, string path, object body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return new EventStreamClient(response, null);
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new EventStreamClient(response, SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken));
    }

    /// <summary>The next event that is not a keep-alive, or null at the end of the stream.</summary>
    public async Task<(string Type, JsonElement Data)?> NextAsync()
    {
        while (await Events.MoveNextAsync())
        {
            var item = Events.Current;
            if (item.EventType != "keepalive")
            {
                return (item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone());
            }
        }
        return null;
    }

    /// <summary>Every remaining event (without keep-alives).</summary>
    public async Task<List<(string Type, JsonElement Data)>> RestAsync()
    {
        var events = new List<(string, JsonElement)>();
        while (await NextAsync() is { } next)
        {
            events.Add(next);
        }
        return events;
    }

    private IAsyncEnumerator<SseItem<string>> Events =>
        _events ?? throw new Xunit.Sdk.XunitException($"Not an event stream: {(int)_response.StatusCode} {_response.Content.Headers.ContentType}");

    public async ValueTask DisposeAsync()
    {
        if (_events is not null)
        {
            await _events.DisposeAsync();
        }
        _response.Dispose();
    }
}
