using System.Text.Json;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Sessions;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.OpenApi;

/// <summary>Swagger examples of the session endpoints; the requests work in order against a fresh session (the newcomer's
/// walk-through: <c>import math; r = 2</c>, then <c>math.sqrt(r)</c>).</summary>
internal static class SessionExamples
{
    private const string Id = "q3Zb7d0xT2mW1c8HkR5yLA";
    private static readonly DateTimeOffset Created_ = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    public static readonly object CreateRequest = new { idleTimeoutMs = 600_000 };

    public static readonly SessionResponse Created = Session(0, null);

    public static readonly SessionResponse Details = Session(2, [new SessionVariable("math", "module"), new SessionVariable("r", "int")]);

    public static readonly SessionListResponse List = new([Created]);

    public static readonly object RunRequest = new { code = "import math\nr = 2" };

    public static readonly ExecutionResponse RunOk = Ok(null, null);

    public static readonly object EvalRequest = new { code = "math.sqrt(r)" };

    public static readonly ExecutionResponse EvalOk = Ok(1.4142135623730951, "float");

    public static readonly object CallRequest = new { module = "__main__", function = "area", args = new[] { 2 } };

    public static readonly SessionFileListResponse Files = new([new SessionFileInfo("data.csv", 2048, Created_.AddMinutes(1))], 2048, 100L * 1024 * 1024);

    public static readonly SessionFileInfo File = new("data.csv", 2048, Created_.AddMinutes(1));

    private static readonly ExecutionProblem NotFound = Problems.Create(404, ProblemTypes.SessionNotFound, "No such session",
        "There is no session with this id for this caller: it never existed, it ended (deleted, expired, or the service restarted), or another API key owns it.",
        Outcomes.Invalid);

    public static readonly IReadOnlyDictionary<int, object> NotFoundProblems = new Dictionary<int, object> { [404] = NotFound };

    public static readonly IReadOnlyDictionary<int, object> CreateProblems = new Dictionary<int, object>
    {
        [400] = Problems.Create(400, ProblemTypes.InvalidRequest, "The request is invalid",
            "'1x' is not a valid variable name: use a Python identifier without a leading double underscore.", Outcomes.Invalid),
        [429] = Problems.Create(429, ProblemTypes.SessionLimit, "Too many sessions for this caller",
            "This caller holds 100 sessions, the limit per caller (Sessions:MaxSessionsPerOwner); delete one first.", Outcomes.Rejected),
        [503] = Problems.Create(503, ProblemTypes.SessionLimit, "The service holds as many sessions as it may",
            "The service holds 1000 sessions, its limit (Sessions:MaxSessions); retry later or delete sessions.", Outcomes.Rejected),
    };

    public static readonly IReadOnlyDictionary<int, object> ExecutionProblems = new Dictionary<int, object>
    {
        [404] = NotFound,
        [409] = new ExecutionProblem
        {
            Status = 409, Type = ProblemTypes.Interrupted, Title = "The execution was interrupted", Outcome = Outcomes.Cancelled,
            Detail = "The job was interrupted (POST /sessions/{id}/interrupt); the session keeps its state.",
            JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b", Stdout = "step 1\nstep 2\n", Timings = new(0.02, 812.4),
            Error = new PythonError { Type = "sidewinder.Interrupted", Message = "The job was interrupted (POST /sessions/{id}/interrupt); the session keeps its state." },
        },
        [429] = new ExecutionProblem
        {
            Status = 429, Type = ProblemTypes.SessionBusy, Title = "The session is busy; retry when it is idle", Outcome = Outcomes.Rejected,
            Detail = "The session is running a job and 8 more wait (Sessions:MaxQueuedPerSession); retry when it is idle.",
            JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b", Timings = new(0, 0),
            Error = new PythonError { Type = "sidewinder.SessionBusy", Message = "The session is running a job and 8 more wait (Sessions:MaxQueuedPerSession); retry when it is idle." },
        },
    };

    public static readonly IReadOnlyDictionary<int, object> FileProblems = new Dictionary<int, object>
    {
        [400] = Problems.Create(400, ProblemTypes.InvalidRequest, "The request is invalid",
            "The file path '../etc/passwd' has an empty, '.' or '..' segment; paths stay inside the session's directory.", Outcomes.Invalid),
        [404] = Problems.FileNotFound("No file 'data/prices.csv' in the session."),
        [413] = Problems.Create(413, ProblemTypes.TooLarge, "The request is too large",
            "The upload has more than 26214400 bytes; the limit is 26214400 (Sessions:MaxUploadBytes).", Outcomes.Invalid),
    };

    private static SessionResponse Session(int executions, IReadOnlyList<SessionVariable>? variables) => new()
    {
        Id = Id,
        State = "idle",
        CreatedAt = Created_,
        LastUsedAt = Created_.AddSeconds(executions * 5),
        ExpiresAt = Created_.AddSeconds(executions * 5).AddMinutes(10),
        EndsAt = Created_.AddHours(8),
        IdleTimeoutMs = 600_000,
        Isolation = "shared",
        Executions = executions,
        Queued = 0,
        FilesBytes = 0,
        Variables = variables,
        VariableCount = variables?.Count,
    };

    private static ExecutionResponse Ok(object? value, string? type) => new()
    {
        JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b",
        Outcome = Outcomes.Ok,
        Value = value is null ? null : RawJsonValue.From(value),
        ValueType = type,
        Timings = new(0.02, 0.05),
    };
}
