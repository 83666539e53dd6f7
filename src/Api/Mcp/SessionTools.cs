using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Security;
using Sidewinder.Api.Sessions;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Mcp;

/// <summary>The session tools: an agent keeps Python state (variables, imports, files) across tool calls, as over
/// <c>/sessions</c>. Each needs a key allowed <c>sessions</c>; sessions belong to the key, as over HTTP.</summary>
[McpServerToolType]
internal sealed class SessionTools(SessionStore store, ToolJobRunner runner, IHttpContextAccessor http, IOptions<LimitsOptions> limits)
{
    private const string SessionId = "The session's id, from python_session_create.";
    private const string Timeout = "Execution time limit in milliseconds, counted from submission (time waiting for the session's " +
        "earlier calls counts). Optional: the default is Workers:DefaultTimeout (30 s).";

    private string Owner => http.HttpContext is { } context ? SessionEndpoints.Owner(context) : "anonymous";

    [McpServerTool(Name = "python_session_create", Title = "Create a Python session", Destructive = false, OpenWorld = true)]
    [Description("Creates a session whose globals (variables, imports, functions) and files persist across python_session_* calls. " +
        "Returns its id (the JSON of POST /sessions). Code finds its files at SESSION_DIR (a pathlib.Path). Sessions end when idle " +
        "past their timeout, when deleted, and when the service restarts.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public async Task<CallToolResult> CreateAsync(
        [Description("Globals bound in the new session (JSON values become Python values).")] IReadOnlyDictionary<string, JsonElement>? variables = null,
        [Description("Idle time in milliseconds after which the session ends; default 15 min, capped by Sessions:MaxIdleTimeout.")] long? idleTimeoutMs = null,
        [Description("'shared' (default: the service's interpreter, every installed module) or 'interpreter' (a sub-interpreter of its own: own sys.modules and builtins; numpy cannot be imported there).")] string? isolation = null,
        CancellationToken cancellationToken = default)
    {
        if (idleTimeoutMs is <= 0)
        {
            return runner.Invalid("'idleTimeoutMs' must be positive.");
        }
        if (SessionEndpoints.ParseIsolation(isolation) is not { } parsed)
        {
            return runner.Invalid(SessionEndpoints.InvalidIsolation(isolation!));
        }
        var created = await store.CreateAsync(Owner, variables, idleTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, parsed, cancellationToken).ConfigureAwait(false);
        if (created.Session is { } session)
        {
            return runner.Success(SessionEndpoints.ToResponse(session, store, details: false));
        }
        var invalid = created.Failure is SessionCreateFailure.InvalidVariables or SessionCreateFailure.IsolationUnavailable;
        return runner.Error(Problems.Create(invalid ? 400 : 429, invalid ? ProblemTypes.InvalidRequest : ProblemTypes.SessionLimit,
            "The session was not created", created.Message ?? "", Outcomes.Rejected));
    }

    [McpServerTool(Name = "python_session_run", Title = "Run Python statements in a session", Destructive = false, OpenWorld = true)]
    [Description("Runs a cell in the session, after its earlier calls: what it binds stays for later calls. Returns stdout, stderr, " +
        "the value of a final bare expression (also bound to _), and the globals named in returnVariables.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public Task<CallToolResult> RunAsync(
        [Description(SessionId)] string sessionId,
        [Description("Python statements. If the last statement is a bare expression, its value is the result.")] string code,
        [Description("Names of globals whose values to return after the code ran.")] IReadOnlyList<string>? returnVariables = null,
        [Description(Timeout)] int? timeoutMs = null,
        CancellationToken cancellationToken = default)
    {
        var request = new RunRequest { Code = code, ReturnVariables = returnVariables, TimeoutMs = timeoutMs };
        return Execute(sessionId, ExecutionEndpoints.Check(request, limits.Value), () => ExecutionEndpoints.ToJob(request), cancellationToken);
    }

    [McpServerTool(Name = "python_session_eval", Title = "Evaluate a Python expression in a session", Destructive = false, OpenWorld = true)]
    [Description("Evaluates one expression in the session's globals and returns its value as JSON with its Python type.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public Task<CallToolResult> EvalAsync(
        [Description(SessionId)] string sessionId,
        [Description("A single Python expression.")] string code,
        [Description(Timeout)] int? timeoutMs = null,
        CancellationToken cancellationToken = default)
    {
        var request = new EvalRequest { Code = code, TimeoutMs = timeoutMs };
        return Execute(sessionId, ExecutionEndpoints.Check(request, limits.Value), () => ExecutionEndpoints.ToJob(request), cancellationToken);
    }

    [McpServerTool(Name = "python_session_interrupt", Title = "Interrupt a session", Destructive = false, Idempotent = true)]
    [Description("Stops the session's running call (it ends as interrupted, with its output so far) and keeps the session's state.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public CallToolResult Interrupt([Description(SessionId)] string sessionId) =>
        store.Interrupt(sessionId, Owner) is { } interrupted ? runner.Success(new InterruptResponse(interrupted)) : NotFound();

    [McpServerTool(Name = "python_session_delete", Title = "Delete a session", Destructive = true, Idempotent = true)]
    [Description("Ends the session now: a running call is interrupted, its globals and files are freed.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public CallToolResult Delete([Description(SessionId)] string sessionId) =>
        store.Delete(sessionId, Owner) ? runner.Success(new { deleted = true }) : NotFound();

    [McpServerTool(Name = "python_session_write_file", Title = "Write a text file into a session", Destructive = true, OpenWorld = false)]
    [Description("Writes UTF-8 text as a file of the session's directory (code reads it at SESSION_DIR / path), replacing one there.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public async Task<CallToolResult> WriteFileAsync(
        [Description(SessionId)] string sessionId,
        [Description("Relative path with / separators, e.g. data/input.csv.")] string path,
        [Description("The file's text.")] string text,
        CancellationToken cancellationToken = default)
    {
        if (store.Find(sessionId, Owner) is not { } session)
        {
            return NotFound();
        }
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var written = await session.Files.WriteAsync(path, content, content.Length, cancellationToken).ConfigureAwait(false);
        return written.Status is SessionFileStatus.Ok or SessionFileStatus.Created
            ? runner.Success(new SessionFileInfo(path, content.Length, DateTimeOffset.UtcNow))
            : runner.Invalid(written.Message!);
    }

    [McpServerTool(Name = "python_session_read_file", Title = "Read a text file of a session", Destructive = false, ReadOnly = true)]
    [Description("Returns a file of the session's directory as UTF-8 text (invalid bytes replaced; the first 1 MiB of a larger file, marked as truncated), or, with no path, the list of its files.")]
    [Authorize(Policy = ApiKeyDefaults.SessionsPolicy)]
    public async Task<CallToolResult> ReadFileAsync(
        [Description(SessionId)] string sessionId,
        [Description("Relative path of the file; leave it out to list the files.")] string? path = null,
        CancellationToken cancellationToken = default)
    {
        if (store.Find(sessionId, Owner) is not { } session)
        {
            return NotFound();
        }
        if (string.IsNullOrEmpty(path))
        {
            return runner.Success(new SessionFileListResponse(session.Files.List(), session.Files.UsedBytes(), store.Options.MaxFilesBytes));
        }
        var found = session.Files.OpenRead(path, out var stream);
        if (found.Status != SessionFileStatus.Ok)
        {
            return found.Status == SessionFileStatus.NotFound ? runner.Error(Problems.FileNotFound(found.Message!)) : runner.Invalid(found.Message!);
        }
        await using (stream!.ConfigureAwait(false))
        {
            var buffer = new byte[(int)Math.Min(stream!.Length, MaxReadFileBytes)];
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(buffer);
            if (stream.Length > MaxReadFileBytes)
            {
                text += $"\n[truncated: the file has {stream.Length} bytes, this tool returns the first {MaxReadFileBytes}; GET /sessions/{{id}}/files/{{path}} downloads all of it]";
            }
            return new CallToolResult { Content = [new TextContentBlock { Text = text }] };
        }
    }

    /// <summary>What <c>python_session_read_file</c> returns of a file at most: an agent's context holds far less.</summary>
    internal const int MaxReadFileBytes = 1024 * 1024;

    private Task<CallToolResult> Execute(string sessionId, RequestError? invalid, Func<Workers.PythonJob> createJob, CancellationToken cancellationToken)
    {
        if (store.Find(sessionId, Owner) is not { } session)
        {
            return Task.FromResult(NotFound());
        }
        return runner.RunAsync(invalid?.Message, createJob, (job, token) => store.SubmitAsync(session, job, token), cancellationToken);
    }

    private CallToolResult NotFound() => runner.Error(Problems.Create(404, ProblemTypes.SessionNotFound, "No such session",
        "There is no session with this id for this key (it ended, or never existed).", Outcomes.Invalid));
}
