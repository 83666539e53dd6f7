namespace Sidewinder.Api.Execution;

/// <summary>The <c>type</c> URIs of Sidewinder's problem responses (RFC 7807), documented in docs/api.md.</summary>
public static class ProblemTypes
{
    /// <summary>Media type of every error response.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>400: malformed JSON, a missing, unknown, repeated or invalid field, an invalid variable or function name.</summary>
    public const string InvalidRequest = "urn:sidewinder:problem:invalid-request";

    /// <summary>400: the request's code does not compile; <c>error.line</c> and <c>error.offset</c> locate it.</summary>
    public const string SyntaxError = "urn:sidewinder:problem:syntax-error";

    /// <summary>422: the code raised an exception.</summary>
    public const string PythonError = "urn:sidewinder:problem:python-error";

    /// <summary>422: an input or the result cannot be converted between JSON and Python.</summary>
    public const string Conversion = "urn:sidewinder:problem:conversion-error";

    /// <summary>504: the deadline passed.</summary>
    public const string Timeout = "urn:sidewinder:problem:timeout";

    /// <summary>503: queue full, no workers or shutting down; see <c>Retry-After</c>.</summary>
    public const string Unavailable = "urn:sidewinder:problem:unavailable";

    /// <summary>499: the client disconnected and the job was cancelled.</summary>
    public const string Cancelled = "urn:sidewinder:problem:cancelled";

    /// <summary>401: no or an unknown API key.</summary>
    public const string Unauthorized = "urn:sidewinder:problem:unauthorized";

    /// <summary>403: the key may not use this endpoint, or an anonymous request came from a non-loopback address.</summary>
    public const string Forbidden = "urn:sidewinder:problem:forbidden";

    /// <summary>413: the request body or the code is larger than allowed.</summary>
    public const string TooLarge = "urn:sidewinder:problem:too-large";

    /// <summary>415: the body is not JSON (<c>Content-Type</c> must be <c>application/json</c>).</summary>
    public const string UnsupportedMediaType = "urn:sidewinder:problem:unsupported-media-type";

    /// <summary>429: the client's rate limit is exhausted; see <c>Retry-After</c>.</summary>
    public const string RateLimited = "urn:sidewinder:problem:rate-limited";

    /// <summary>404: no such session for this caller (unknown, expired, deleted, or another key's: they look the same).</summary>
    public const string SessionNotFound = "urn:sidewinder:problem:session-not-found";

    /// <summary>404: the session exists but has no file at this path (the session and its other files are untouched).</summary>
    public const string FileNotFound = "urn:sidewinder:problem:file-not-found";

    /// <summary>429: the session's own queue is full (<c>Sessions:MaxQueuedPerSession</c>); see <c>Retry-After</c>.</summary>
    public const string SessionBusy = "urn:sidewinder:problem:session-busy";

    /// <summary>429 (this caller's limit) or 503 (the service's limit): no more sessions can be created now.</summary>
    public const string SessionLimit = "urn:sidewinder:problem:session-limit";

    /// <summary>409: the execution was stopped by an interrupt, or its session was deleted or expired; output so far included.</summary>
    public const string Interrupted = "urn:sidewinder:problem:interrupted";

    /// <summary>500: a bug in Sidewinder.</summary>
    public const string Internal = "urn:sidewinder:problem:internal-error";
}
