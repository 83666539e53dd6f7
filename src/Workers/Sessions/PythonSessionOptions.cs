namespace Sidewinder.Workers.Sessions;

/// <summary>Limits of a <see cref="SessionStore"/> (configuration section <c>Sessions</c>). Every limit is enforced by the
/// store, shown on <c>GET /info</c> and validated at start.</summary>
public sealed class PythonSessionOptions
{
    /// <summary>The configuration section an application usually binds: <c>Sessions</c>.</summary>
    public const string SectionName = "Sessions";

    /// <summary>Sessions the process holds at once; creating another is refused (503 <c>session-limit</c>). Default: 1,000.</summary>
    public int MaxSessions { get; set; } = 1000;

    /// <summary>Sessions one owner (API key, or the anonymous caller) holds at once; beyond it 429 <c>session-limit</c>. Default: 100.</summary>
    public int MaxSessionsPerOwner { get; set; } = 100;

    /// <summary>Idle time after which a session that does not ask for its own ends. Default: 15 min.</summary>
    public TimeSpan DefaultIdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Upper bound of a session's own idle timeout (larger requests are capped). Default: 1 h.</summary>
    public TimeSpan MaxIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A session ends this long after it was created, however busy (a running execution is interrupted). Default: 8 h.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Executions that may wait behind the running one in a session's own queue; a request beyond it is refused
    /// at once (429 <c>session-busy</c> with <c>Retry-After</c>). Default: 8.</summary>
    public int MaxQueuedPerSession { get; set; } = 8;

    /// <summary>Directory under which each session gets its own directory (<c>{FilesRoot}/{session id}</c>), deleted with
    /// the session. Default: null, meaning <c>sidewinder-sessions</c> in the system temporary directory (in the container
    /// image a tmpfs mounted at <c>/tmp</c> is recommended; see deploy/).</summary>
    public string? FilesRoot { get; set; }

    /// <summary>Bytes of files one session may hold; an upload that would pass it is refused (413). Files the session's
    /// own code writes count too (they are seen by the next upload). Default: 100 MiB.</summary>
    public long MaxFilesBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Largest single upload in bytes (413 beyond it, nothing written). Default: 25 MiB.</summary>
    public long MaxUploadBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>How often the one reaper timer looks for expired sessions. Default: 5 s.</summary>
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Variable names (with their types) a session reports; the rest are counted, not listed. Default: 200.</summary>
    public int MaxListedVariables { get; set; } = 200;

    /// <summary>Base URL of this replica as clients reach it directly (e.g. <c>http://sidewinder-0.sidewinder-sessions:8080</c>
    /// in a StatefulSet behind a headless Service), returned with every session so that its later requests go to the
    /// replica that holds it. Default: null (one replica, or a router that already pins sessions).</summary>
    public string? ReplicaUrl { get; set; }

    /// <summary>The files root in use (<see cref="FilesRoot"/> or the default), as a full path.</summary>
    public string ResolvedFilesRoot => Path.GetFullPath(FilesRoot ?? Path.Combine(Path.GetTempPath(), "sidewinder-sessions"));

    /// <summary>Checks every setting; returns one message per problem (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxSessions < 0)
        {
            errors.Add($"Sessions:MaxSessions must not be negative (0 turns sessions off); got {MaxSessions}.");
        }
        if (MaxSessionsPerOwner < 1 && MaxSessions > 0)
        {
            errors.Add($"Sessions:MaxSessionsPerOwner must be at least 1; got {MaxSessionsPerOwner}.");
        }
        if (DefaultIdleTimeout <= TimeSpan.Zero || DefaultIdleTimeout > MaxIdleTimeout)
        {
            errors.Add($"Sessions:DefaultIdleTimeout must be positive and at most MaxIdleTimeout ({MaxIdleTimeout}); got {DefaultIdleTimeout}.");
        }
        if (MaxLifetime <= TimeSpan.Zero)
        {
            errors.Add($"Sessions:MaxLifetime must be positive; got {MaxLifetime}.");
        }
        if (MaxQueuedPerSession < 0)
        {
            errors.Add($"Sessions:MaxQueuedPerSession must not be negative; got {MaxQueuedPerSession}.");
        }
        if (MaxFilesBytes < 0 || MaxUploadBytes < 0)
        {
            errors.Add($"Sessions:MaxFilesBytes and Sessions:MaxUploadBytes must not be negative; got {MaxFilesBytes} and {MaxUploadBytes}.");
        }
        if (ReaperInterval < TimeSpan.FromMilliseconds(10) || ReaperInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"Sessions:ReaperInterval must be between 10 ms and 10 min; got {ReaperInterval}.");
        }
        if (MaxListedVariables < 0)
        {
            errors.Add($"Sessions:MaxListedVariables must not be negative; got {MaxListedVariables}.");
        }
        if (ReplicaUrl is not null && !Uri.TryCreate(ReplicaUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Sessions:ReplicaUrl must be an absolute URL; got '{ReplicaUrl}'.");
        }
        return errors;
    }
}
