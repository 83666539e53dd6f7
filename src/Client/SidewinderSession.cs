namespace Sidewinder.Client;

/// <summary>A session on the service (<c>POST /sessions</c>): globals and files that live across requests.</summary>
/// <remarks>Pass it to the session methods of <see cref="ISidewinderClient"/>. When the service names the replica that
/// holds the session (<see cref="ReplicaUrl"/>, a StatefulSet behind a headless Service), those methods send the
/// session's requests there, with the same key. A session lives in one replica's memory: if that replica restarts, the
/// session is gone (<see cref="SidewinderSessionNotFoundException"/>).</remarks>
public sealed record SidewinderSession
{
    /// <summary>The session's id; a capability, keep it secret.</summary>
    public required string Id { get; init; }

    /// <summary><c>idle</c> or <c>busy</c>.</summary>
    public string State { get; init; } = "idle";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its last execution ended.</summary>
    public DateTimeOffset LastUsedAt { get; init; }

    /// <summary>When it expires unless used again.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The end of its maximum lifetime.</summary>
    public DateTimeOffset EndsAt { get; init; }

    /// <summary>Its idle timeout in milliseconds.</summary>
    public long IdleTimeoutMs { get; init; }

    /// <summary><c>shared</c> (the service's main interpreter) or <c>interpreter</c> (a sub-interpreter of its own).</summary>
    public string Isolation { get; init; } = SessionIsolation.Shared;

    /// <summary>Executions that ended.</summary>
    public int Executions { get; init; }

    /// <summary>Executions waiting behind the running one.</summary>
    public int Queued { get; init; }

    /// <summary>Bytes of its files.</summary>
    public long FilesBytes { get; init; }

    /// <summary>Base URL of the replica that holds it, when the service is configured with one.</summary>
    public Uri? ReplicaUrl { get; init; }

    /// <summary>Its globals (names and Python types), from <see cref="ISidewinderClient.GetSessionAsync"/> only.</summary>
    public IReadOnlyList<SessionVariable>? Variables { get; init; }
}

/// <summary>A global of a session: its name and Python type.</summary>
/// <param name="Name">The name.</param>
/// <param name="Type">The qualified Python type.</param>
public sealed record SessionVariable(string Name, string Type);

/// <summary>A file of a session's directory.</summary>
/// <param name="Path">Relative path with <c>/</c> separators.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Modified">Last write time.</param>
public sealed record SessionFile(string Path, long Size, DateTimeOffset Modified);

/// <summary>Creates a session (<c>POST /sessions</c>).</summary>
public sealed record CreateSessionRequest
{
    /// <summary>Globals bound in the new session, serialized as JSON.</summary>
    public IReadOnlyDictionary<string, object?>? Variables { get; init; }

    /// <summary>Idle timeout in milliseconds; null for the service's default (capped by its maximum).</summary>
    public long? IdleTimeoutMs { get; init; }

    /// <summary><see cref="SessionIsolation.Shared"/> (null, the default) or <see cref="SessionIsolation.Interpreter"/>: a
    /// sub-interpreter of its own (own <c>sys.modules</c> and builtins; CPython 3.12+ services; numpy cannot be imported there).</summary>
    public string? Isolation { get; init; }
}

/// <summary>The values of <see cref="CreateSessionRequest.Isolation"/>.</summary>
public static class SessionIsolation
{
    /// <summary>The service's main interpreter, with every module it has imported.</summary>
    public const string Shared = "shared";

    /// <summary>A sub-interpreter of the session's own, with its own GIL.</summary>
    public const string Interpreter = "interpreter";
}
