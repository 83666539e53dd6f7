using System.Text.Json;

namespace Sidewinder.Client;

public partial interface ISidewinderClient
{
    /// <summary>Creates a session (<c>POST /sessions</c>).</summary>
    /// <exception cref="SidewinderRejectedException">A session limit was reached (429/503 <c>session-limit</c>).</exception>
    Task<SidewinderSession> CreateSessionAsync(CreateSessionRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>The session's current state, with the names and types of its globals (<c>GET /sessions/{id}</c>).</summary>
    /// <exception cref="SidewinderSessionNotFoundException">It ended, or never existed for this key.</exception>
    Task<SidewinderSession> GetSessionAsync(SidewinderSession session, CancellationToken cancellationToken = default);

    /// <summary>This key's sessions (<c>GET /sessions</c>) on the replica the client's base address reaches.</summary>
    Task<IReadOnlyList<SidewinderSession>> ListSessionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Evaluates an expression in the session (<c>POST /sessions/{id}/eval</c>).</summary>
    /// <exception cref="SidewinderException">As <see cref="EvalAsync(EvalRequest, CancellationToken)"/>, plus
    /// <see cref="SidewinderInterruptedException"/>, <see cref="SidewinderSessionNotFoundException"/> and
    /// <see cref="SidewinderRejectedException"/> (429 <c>session-busy</c>).</exception>
    Task<ExecutionResult> EvalAsync(SidewinderSession session, EvalRequest request, CancellationToken cancellationToken = default);

    /// <summary>Runs a cell in the session (<c>POST /sessions/{id}/run</c>); what it binds stays for the next request.</summary>
    /// <exception cref="SidewinderException">As <see cref="EvalAsync(SidewinderSession, EvalRequest, CancellationToken)"/>.</exception>
    Task<ExecutionResult> RunAsync(SidewinderSession session, RunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Calls a function in the session (<c>POST /sessions/{id}/call</c>); module <c>__main__</c> is the session's own globals.</summary>
    /// <exception cref="SidewinderException">As <see cref="EvalAsync(SidewinderSession, EvalRequest, CancellationToken)"/>.</exception>
    Task<ExecutionResult> CallAsync(SidewinderSession session, CallRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stops the session's running execution and keeps its state; false when nothing was running.</summary>
    Task<bool> InterruptAsync(SidewinderSession session, CancellationToken cancellationToken = default);

    /// <summary>Ends the session now (a running execution is interrupted; its globals and files are freed).</summary>
    Task DeleteSessionAsync(SidewinderSession session, CancellationToken cancellationToken = default);

    /// <summary>Uploads <paramref name="content"/> as <paramref name="path"/> in the session's directory (replacing a file there).</summary>
    /// <exception cref="SidewinderInvalidRequestException">The path is refused (400) or the file is too large (413).</exception>
    Task<SessionFile> UploadFileAsync(SidewinderSession session, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Downloads a file of the session.</summary>
    /// <exception cref="SidewinderFileNotFoundException">The session has no such file.</exception>
    Task<byte[]> DownloadFileAsync(SidewinderSession session, string path, CancellationToken cancellationToken = default);

    /// <summary>The files of the session's directory.</summary>
    Task<IReadOnlyList<SessionFile>> ListFilesAsync(SidewinderSession session, CancellationToken cancellationToken = default);

    /// <summary>Removes a file (or directory) of the session.</summary>
    /// <exception cref="SidewinderFileNotFoundException">The session has no such file.</exception>
    Task DeleteFileAsync(SidewinderSession session, string path, CancellationToken cancellationToken = default);
}

public sealed partial class SidewinderClient
{
    /// <inheritdoc />
    public async Task<SidewinderSession> CreateSessionAsync(CreateSessionRequest? request = null, CancellationToken cancellationToken = default)
    {
        // Not retried on a lost connection (SafeRetry): a retry could create a second session.
        var body = await SendAsync(HttpMethod.Post, new Uri("sessions", UriKind.Relative), JsonContent(request ?? new CreateSessionRequest()), cancellationToken).ConfigureAwait(false);
        return Read<SidewinderSession>(body);
    }

    /// <inheritdoc />
    public async Task<SidewinderSession> GetSessionAsync(SidewinderSession session, CancellationToken cancellationToken = default) =>
        Read<SidewinderSession>(await SendAsync(HttpMethod.Get, At(session, ""), null, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SidewinderSession>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        Read<SessionList>(await SendAsync(HttpMethod.Get, new Uri("sessions", UriKind.Relative), null, cancellationToken).ConfigureAwait(false)).Sessions;

    /// <inheritdoc />
    public Task<ExecutionResult> EvalAsync(SidewinderSession session, EvalRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(session, "/eval", request, cancellationToken);

    /// <inheritdoc />
    public Task<ExecutionResult> RunAsync(SidewinderSession session, RunRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(session, "/run", request, cancellationToken);

    /// <inheritdoc />
    public Task<ExecutionResult> CallAsync(SidewinderSession session, CallRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(session, "/call", request, cancellationToken);

    /// <inheritdoc />
    public async Task<bool> InterruptAsync(SidewinderSession session, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync(HttpMethod.Post, At(session, "/interrupt"), null, cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(body).RootElement.GetProperty("interrupted").GetBoolean();
    }

    /// <inheritdoc />
    public Task DeleteSessionAsync(SidewinderSession session, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, At(session, ""), null, cancellationToken);

    /// <inheritdoc />
    public async Task<SessionFile> UploadFileAsync(SidewinderSession session, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var bytes = new ByteArrayContent(content.ToArray());
        bytes.Headers.ContentType = new("application/octet-stream");
        return Read<SessionFile>(await SendAsync(HttpMethod.Put, At(session, "/files/" + EscapePath(path)), bytes, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<byte[]> DownloadFileAsync(SidewinderSession session, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var response = await http.GetAsync(At(session, "/files/" + EscapePath(path)), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw Problem.ToException((int)response.StatusCode, body, response.Headers.RetryAfter);
        }
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionFile>> ListFilesAsync(SidewinderSession session, CancellationToken cancellationToken = default) =>
        Read<FileList>(await SendAsync(HttpMethod.Get, At(session, "/files"), null, cancellationToken).ConfigureAwait(false)).Files;

    /// <inheritdoc />
    public Task DeleteFileAsync(SidewinderSession session, string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, At(session, "/files/" + EscapePath(path)), null, cancellationToken);

    private async Task<ExecutionResult> ExecuteAsync<TRequest>(SidewinderSession session, string suffix, TRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await SendAsync(HttpMethod.Post, At(session, suffix), JsonContent(request), cancellationToken).ConfigureAwait(false);
        return Read<ExecutionResult>(body);
    }

    /// <summary>The session's URL: on the replica that holds it when the service named one, else under the base address.</summary>
    private static Uri At(SidewinderSession session, string suffix)
    {
        ArgumentNullException.ThrowIfNull(session);
        var relative = "sessions/" + Uri.EscapeDataString(session.Id) + suffix;
        if (session.ReplicaUrl is not { } replica)
        {
            return new Uri(relative, UriKind.Relative);
        }
        var root = replica.ToString();
        return new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), relative);
    }

    private static string EscapePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }

    private static T Read<T>(string body) =>
        JsonSerializer.Deserialize<T>(body, SidewinderJson.Options) ?? throw new JsonException("The service answered with an empty body.");

    private sealed record SessionList(IReadOnlyList<SidewinderSession> Sessions);

    private sealed record FileList(IReadOnlyList<SessionFile> Files);
}
