using System.Net.Http.Headers;
using System.Text.Json;

namespace Sidewinder.Client;

/// <summary>A problem body as the service writes it (docs/api.md), and its mapping to the exception hierarchy.</summary>
internal sealed record Problem
{
    public const string Prefix = "urn:sidewinder:problem:";

    public string? Type { get; init; }

    public string? Title { get; init; }

    public string? Detail { get; init; }

    public string? Outcome { get; init; }

    public string? JobId { get; init; }

    public PythonError? Error { get; init; }

    public string? Stdout { get; init; }

    public string? Stderr { get; init; }

    public ExecutionTimings? Timings { get; init; }

    /// <summary>The problem in <paramref name="body"/>, or an empty one when the body is no JSON object (a proxy's page).</summary>
    public static Problem Parse(string body)
    {
        try
        {
            return body.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize<Problem>(body, SidewinderJson.Options) ?? new() : new();
        }
        catch (JsonException)
        {
            return new();
        }
    }

    public static SidewinderException ToException(int status, string body, RetryConditionHeaderValue? retryAfterHeader)
    {
        var problem = Parse(body);
        if (problem.Detail is null && problem.Title is null && body.Length > 0)
        {
            problem = problem with { Detail = $"The service answered {status}: {(body.Length > 500 ? body[..500] + "…" : body)}" };
        }
        return (problem.Type?.StartsWith(Prefix, StringComparison.Ordinal) == true ? problem.Type[Prefix.Length..] : null) switch
        {
            "syntax-error" => new SidewinderSyntaxErrorException(problem, status),
            "python-error" or "conversion-error" => new SidewinderPythonException(problem, status),
            "timeout" => new SidewinderTimeoutException(problem, status),
            "unavailable" or "rate-limited" or "session-busy" or "session-limit" => new SidewinderRejectedException(problem, status, RetryAfter(retryAfterHeader)),
            "session-not-found" => new SidewinderSessionNotFoundException(problem, status),
            "file-not-found" => new SidewinderFileNotFoundException(problem, status),
            "interrupted" => new SidewinderInterruptedException(problem, status),
            "unauthorized" or "forbidden" => new SidewinderAccessDeniedException(problem, status),
            "invalid-request" or "too-large" => new SidewinderInvalidRequestException(problem, status),
            _ when status is 401 or 403 => new SidewinderAccessDeniedException(problem, status),
            _ when status is >= 400 and < 500 and not 429 => new SidewinderInvalidRequestException(problem, status),
            _ => new SidewinderException(problem, status, RetryAfter(retryAfterHeader)),
        };
    }

    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
}
