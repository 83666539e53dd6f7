using Sidewinder.Api.Execution;

namespace Sidewinder.Api.OpenApi;

/// <summary>Runnable examples for Swagger: each request works against a fresh service (the call example needs the
/// bundled <c>scripts/example.py</c> in the scripts directory, which the run command sets up).</summary>
internal static class Examples
{
    private static readonly ExecutionTimings SampleTimings = new(0.02, 0.05);

    public static readonly object EvalRequest = new { code = "sum(range(10))" };

    public static readonly ExecutionResponse EvalOk = Ok(45, "int", "", null);

    public static readonly object RunRequest = new
    {
        code = "for i in range(3):\n    print('line', i)\ntotal = 42\ntotal * 2",
        returnVariables = new[] { "total" },
    };

    public static readonly ExecutionResponse RunOk = Ok(84, "int", "line 0\nline 1\nline 2\n",
        new Dictionary<string, System.Text.Json.JsonElement> { ["total"] = System.Text.Json.JsonSerializer.SerializeToElement(42) });

    public static readonly object CallRequest = new { module = "example", function = "greet", args = new[] { "Ada" }, kwargs = new { punctuation = "!" } };

    public static readonly ExecutionResponse CallOk = Ok("Hello, Ada!", "str", "", null);

    private static ExecutionResponse Ok(object value, string type, string stdout, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? variables) => new()
    {
        JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b",
        Outcome = Outcomes.Ok,
        Value = RawJsonValue.From(value),
        ValueType = type,
        Variables = variables,
        Stdout = stdout,
        Timings = SampleTimings,
    };

    /// <summary>An example problem for each documented error status.</summary>
    public static ExecutionProblem Problem(int status) => status switch
    {
        400 => new ExecutionProblem
        {
            Status = 400, Type = ProblemTypes.SyntaxError, Title = "The code has a syntax error", Outcome = Outcomes.Error,
            Detail = "SyntaxError: '(' was never closed", JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b", Timings = new(0.02, 0.1),
            Error = new PythonError { Type = "SyntaxError", Message = "'(' was never closed", Line = 1, Offset = 4, Text = "sum(range(10)" },
        },
        401 => Problems.Create(401, ProblemTypes.Unauthorized, "An API key is required",
            "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.", Outcomes.Rejected),
        403 => Problems.Create(403, ProblemTypes.Forbidden, "Access denied", "The API key 'reports' may not use 'run' (allowed: eval).", Outcomes.Rejected),
        413 => Problems.Create(413, ProblemTypes.TooLarge, "The request is too large",
            "'code' has 250000 characters; the limit is 100000 (Limits:MaxCodeChars).", Outcomes.Invalid),
        422 => new ExecutionProblem
        {
            Status = 422, Type = ProblemTypes.PythonError, Title = "The code raised an exception", Outcome = Outcomes.Error,
            Detail = "ZeroDivisionError: division by zero", JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b", Stdout = "computing\n",
            Timings = new(0.02, 0.3),
            Error = new PythonError
            {
                Type = "ZeroDivisionError", Message = "division by zero",
                Frames = [new TracebackFrame("<run>", 2, "<module>", "1 / 0")],
                Traceback = "Traceback (most recent call last):\n  File \"<run>\", line 2, in <module>\n    1 / 0\nZeroDivisionError: division by zero\n",
            },
        },
        429 => Problems.Create(429, ProblemTypes.RateLimited, "Too many requests",
            "The rate limit for this client is exhausted; retry after 1 s (Limits:RateLimitPermitsPerSecond).", Outcomes.Rejected),
        503 => new ExecutionProblem
        {
            Status = 503, Type = ProblemTypes.Unavailable, Title = "The service cannot take the job now; retry later", Outcome = Outcomes.Rejected,
            Detail = "The job queue is full (256 jobs).", JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b", Timings = new(0, 0),
            Error = new PythonError { Type = "sidewinder.QueueFull", Message = "The job queue is full (256 jobs)." },
        },
        504 => new ExecutionProblem
        {
            Status = 504, Type = ProblemTypes.Timeout, Title = "The code ran past its deadline", Outcome = Outcomes.Timeout,
            Detail = "The job did not finish within 2 s.", JobId = "3f2b8c0e4a5d4e0f9a1b2c3d4e5f6a7b", Stdout = "started\n",
            Timings = new(0.02, 2001.5),
            Error = new PythonError { Type = "sidewinder.Timeout", Message = "The job did not finish within 2 s." },
        },
        _ => Problems.Create(status, "about:blank", "Error", "", Outcomes.Error),
    };
}
