using System.Net.Http.Headers;
using System.Text.Json;

namespace Sidewinder.Client;

/// <summary>Calls Sidewinder's execution endpoints.</summary>
public partial interface ISidewinderClient
{
    /// <summary>Evaluates one expression (<c>POST /eval</c>).</summary>
    /// <exception cref="SidewinderException">The service answered with a problem (see the subclasses).</exception>
    Task<ExecutionResult> EvalAsync(EvalRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs statements like a notebook cell (<c>POST /run</c>).</summary>
    /// <exception cref="SidewinderException">The service answered with a problem (see the subclasses).</exception>
    Task<ExecutionResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Calls a function of a script or an installed module (<c>POST /call</c>).</summary>
    /// <exception cref="SidewinderException">The service answered with a problem (see the subclasses).</exception>
    Task<ExecutionResult> CallAsync(CallRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs statements and yields their output as it happens (<c>POST /run</c> with <c>Accept: text/event-stream</c>):
    /// <see cref="OutputEvent"/>, <see cref="DisplayEvent"/> and <see cref="LogEvent"/>, then one <see cref="ResultEvent"/>.</summary>
    /// <remarks>Stopping the enumeration (or cancelling) closes the connection, which cancels the job.</remarks>
    /// <exception cref="SidewinderException">The service refused the request, or the run failed (thrown at the end of
    /// the events that came before, as <see cref="RunAsync(RunRequest, CancellationToken)"/> would throw it).</exception>
    IAsyncEnumerable<ExecutionEvent> StreamRunAsync(RunRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The typed client over an <see cref="HttpClient"/> whose base address (and key header) are set, as
/// <c>AddSidewinderClient</c> does.</summary>
/// <remarks>Cancelling a call's token aborts its HTTP request, and the service cancels the job when its client
/// disconnects: a queued job is skipped, a running one interrupted. Every endpoint goes through one send path that maps
/// problems to exceptions, so further endpoints (sessions, streamed output) add methods, not another error model.</remarks>
public sealed partial class SidewinderClient(HttpClient http) : ISidewinderClient
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <inheritdoc />
    public Task<ExecutionResult> EvalAsync(EvalRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("eval", request, cancellationToken);

    /// <inheritdoc />
    public Task<ExecutionResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("run", request, cancellationToken);

    /// <inheritdoc />
    public Task<ExecutionResult> CallAsync(CallRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("call", request, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<ExecutionEvent> StreamRunAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        EventStream.ReadAsync(http, "run", JsonContent(request ?? throw new ArgumentNullException(nameof(request))), cancellationToken);

    private async Task<ExecutionResult> PostAsync<TRequest>(string path, TRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await SendAsync(HttpMethod.Post, new Uri(path, UriKind.Relative), JsonContent(request), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<ExecutionResult>(body, SidewinderJson.Options)
            ?? throw new JsonException("The service answered 200 with an empty body.");
    }

    /// <summary>The one send path: a problem becomes its exception, anything else the body as text.</summary>
    private async Task<string> SendAsync(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellationToken)
    {
        using (content)
        {
            using var message = new HttpRequestMessage(method, uri) { Content = content };
            using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Problem.ToException((int)response.StatusCode, body, response.Headers.RetryAfter);
            }
            return body;
        }
    }

    // Bytes, not a stream: a retry sends the same body again.
    private static ByteArrayContent JsonContent<T>(T value)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, SidewinderJson.Options));
        content.Headers.ContentType = Json;
        return content;
    }
}
