using System.Text.Json;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Sessions;

/// <summary>Creates a session.</summary>
public sealed record CreateSessionRequest
{
    /// <summary>Globals bound in the new session (JSON values become Python values); names must be Python identifiers not
    /// starting with a double underscore.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables { get; init; }

    /// <summary>Idle time in milliseconds after which the session ends; default <c>Sessions:DefaultIdleTimeout</c> (15 min),
    /// larger values are capped at <c>Sessions:MaxIdleTimeout</c> (1 h).</summary>
    /// <example>600000</example>
    public long? IdleTimeoutMs { get; init; }

    /// <summary>Where the session's globals live: <c>shared</c> (default), the service's main interpreter with every installed
    /// module; <c>interpreter</c>, a sub-interpreter of its own with its own GIL, <c>sys.modules</c>, builtins and
    /// <c>sys.path</c> (CPython 3.12+; extension modules without sub-interpreter support, numpy among them, cannot be
    /// imported there; costs ~125 ms and 7–12 MiB per session, see docs/performance.md).</summary>
    /// <example>shared</example>
    public string? Isolation { get; init; }
}

/// <summary>A session: its timings, state, and (from <c>GET /sessions/{id}</c>) the names and types of its globals.</summary>
public sealed record SessionResponse
{
    /// <summary>The session's id (128 random bits, base64url); it is a capability: keep it secret.</summary>
    /// <example>q3Zb7d0xT2mW1c8HkR5yLA</example>
    public required string Id { get; init; }

    /// <summary><c>idle</c> or <c>busy</c>.</summary>
    /// <example>idle</example>
    public required string State { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its last execution ended (UTC).</summary>
    public required DateTimeOffset LastUsedAt { get; init; }

    /// <summary>When it expires unless it is used again (UTC): the idle timeout after its last use, or the end of its
    /// maximum lifetime if that comes first.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The end of its maximum lifetime (<c>Sessions:MaxLifetime</c> after creation), however busy it is.</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>Its idle timeout in milliseconds.</summary>
    /// <example>900000</example>
    public required long IdleTimeoutMs { get; init; }

    /// <summary><c>shared</c> (the main interpreter) or <c>interpreter</c> (a sub-interpreter of its own).</summary>
    /// <example>shared</example>
    public required string Isolation { get; init; }

    /// <summary>Executions that ended.</summary>
    /// <example>2</example>
    public required int Executions { get; init; }

    /// <summary>Executions waiting behind the running one.</summary>
    /// <example>0</example>
    public required int Queued { get; init; }

    /// <summary>Bytes of files in the session's directory.</summary>
    /// <example>2048</example>
    public required long FilesBytes { get; init; }

    /// <summary>Base URL of the replica that holds the session, when configured (<c>Sessions:ReplicaUrl</c>): send the
    /// session's later requests there.</summary>
    public string? ReplicaUrl { get; init; }

    /// <summary>Its globals after the last execution, names and Python types only (never values); <c>GET /sessions/{id}</c> only.</summary>
    public IReadOnlyList<SessionVariable>? Variables { get; init; }

    /// <summary>Number of globals (listed or not); <c>GET /sessions/{id}</c> only.</summary>
    public int? VariableCount { get; init; }
}

/// <summary>The caller's sessions.</summary>
/// <param name="Sessions">Oldest first.</param>
public sealed record SessionListResponse(IReadOnlyList<SessionResponse> Sessions);

/// <summary>The answer to an interrupt.</summary>
/// <param name="Interrupted">True when an execution was running and was stopped; false when the session was idle.</param>
public sealed record InterruptResponse(bool Interrupted);

/// <summary>The files of a session.</summary>
/// <param name="Files">By path.</param>
/// <param name="TotalBytes">Their size together.</param>
/// <param name="MaxBytes">The session's limit (<c>Sessions:MaxFilesBytes</c>).</param>
public sealed record SessionFileListResponse(IReadOnlyList<SessionFileInfo> Files, long TotalBytes, long MaxBytes);
