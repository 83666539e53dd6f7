namespace Sidewinder.Api.Status;

/// <summary>A health probe's answer.</summary>
/// <param name="Status"><c>alive</c>, <c>ready</c>, <c>degraded</c> (serving with fewer workers than configured) or <c>unavailable</c>.</param>
/// <param name="Reason">Why the service is degraded or not ready, else null.</param>
public sealed record HealthReport(string Status, string? Reason);

/// <summary>What <c>GET /info</c> returns.</summary>
/// <param name="Python">The embedded interpreter.</param>
/// <param name="Workers">The worker pool right now.</param>
/// <param name="Limits">Every configured limit.</param>
/// <param name="Auth">How clients authenticate.</param>
/// <param name="Sessions">Sessions held now and their limits.</param>
/// <param name="Host">The .NET process around the interpreter.</param>
public sealed record ServiceInfo(PythonBuildInfo Python, WorkerInfo Workers, LimitInfo Limits, AuthInfo Auth, SessionInfo Sessions,
    HostInfo Host);

/// <summary>The .NET process around the interpreter.</summary>
/// <param name="Dotnet">The .NET runtime's version, e.g. <c>10.0.0</c>.</param>
/// <param name="Gc">The garbage collector's mode: <c>workstation</c> (the default) or <c>server</c> (with
/// <c>DOTNET_gcServer=1</c>).</param>
public sealed record HostInfo(string Dotnet, string Gc);

/// <summary>The embedded interpreter.</summary>
/// <param name="Version">CPython version, e.g. <c>3.13.5</c>.</param>
/// <param name="VersionText">The full <c>sys.version</c>.</param>
/// <param name="Build"><c>gil</c> or <c>free-threaded</c>.</param>
/// <param name="GilEnabled">Whether the GIL is enabled now (a free-threaded build turns it on when an extension without
/// free-threading support is imported).</param>
/// <param name="Runtime">The runtime's name (<c>3.11</c>, <c>3.13t</c>, <c>3.14t</c>, ...).</param>
/// <param name="Description">The exact runtime in words, e.g. <c>3.14.10 free-threaded</c>.</param>
/// <param name="Manifest">The provisioned runtime manifest it was loaded from (<c>default</c>, <c>3.14t</c>, ...); null when it was
/// found another way (an explicit library path, <c>PATH</c>).</param>
/// <param name="Source">Where the build came from as its manifest records it (e.g. <c>Debian sid python3.14 3.14.10</c>), else null.</param>
/// <param name="MemoryLimitMiB">The ceiling on the Python allocator's memory (<c>Python:MemoryLimitMiB</c>; by default three
/// quarters of the memory available to the process): an allocation past it is a <c>MemoryError</c>. Free-threaded builds
/// only; null on GIL builds, whose <c>malloc</c> refuses an allocation larger than memory and swap by itself.</param>
public sealed record PythonBuildInfo(string Version, string VersionText, string Build, bool GilEnabled, string Runtime, string Description,
    string? Manifest, string? Source, long? MemoryLimitMiB);

/// <summary>The worker pool.</summary>
/// <param name="Count">Live workers.</param>
/// <param name="Busy">Workers running a job now.</param>
/// <param name="Queued">Jobs waiting for a worker.</param>
/// <param name="QueueCapacity">Waiting jobs allowed before 503 (<c>Workers:QueueCapacity</c>).</param>
/// <param name="Quarantined">Workers stuck in native code past a deadline.</param>
/// <param name="MaxQuarantined">Stuck workers tolerated before no replacement is started (<c>Workers:MaxQuarantinedWorkers</c>).</param>
/// <param name="Parallel">True when workers run Python in parallel: a free-threaded build with the GIL off, or
/// <c>Workers:Isolation=Interpreter</c> (each worker in a sub-interpreter with its own GIL).</param>
/// <param name="Isolation">Where jobs run (<c>Workers:Isolation</c>): <c>shared</c>, the one main interpreter, or
/// <c>interpreter</c>, a sub-interpreter of each worker's own (sessions always run in the main interpreter).</param>
public sealed record WorkerInfo(int Count, int Busy, int Queued, int QueueCapacity, int Quarantined, int MaxQuarantined, bool Parallel,
    string Isolation);

/// <summary>Configured limits.</summary>
/// <param name="DefaultTimeoutMs">Deadline when a request has no <c>timeoutMs</c> (<c>Workers:DefaultTimeout</c>).</param>
/// <param name="MaxTimeoutMs">Cap on <c>timeoutMs</c> (<c>Workers:MaxTimeout</c>).</param>
/// <param name="MaxRequestBodyBytes">Largest body (<c>Limits:MaxRequestBodyBytes</c>).</param>
/// <param name="MaxCodeChars">Largest <c>code</c> (<c>Limits:MaxCodeChars</c>).</param>
/// <param name="MaxOutputChars">Captured characters per stream (<c>Workers:MaxOutputChars</c>).</param>
/// <param name="MaxResultBytes">Largest JSON value (<c>Workers:MaxResultBytes</c>).</param>
/// <param name="RateLimitPermitsPerSecond">Requests per second per client, 0 when off (<c>Limits:RateLimitPermitsPerSecond</c>).</param>
/// <param name="RateLimitBurst">Burst per client (<c>Limits:RateLimitBurst</c>).</param>
/// <param name="MaxRichOutputBytes">Bytes of rich outputs (images, HTML) kept per job (<c>Workers:MaxRichOutputBytes</c>).</param>
/// <param name="StreamBufferChars">Characters of an event stream that may wait for a slow client before events are dropped
/// (<c>Streaming:BufferChars</c>).</param>
public sealed record LimitInfo(long DefaultTimeoutMs, long MaxTimeoutMs, long MaxRequestBodyBytes, int MaxCodeChars, int MaxOutputChars,
    int MaxResultBytes, int RateLimitPermitsPerSecond, int RateLimitBurst, int MaxRichOutputBytes, int StreamBufferChars);

/// <summary>Authentication mode.</summary>
/// <param name="ApiKeysRequired">True when requests need an API key.</param>
/// <param name="Mode"><c>api-key</c>, <c>anonymous-loopback-only</c> (no keys: loopback clients only) or <c>anonymous</c>.</param>
public sealed record AuthInfo(bool ApiKeysRequired, string Mode);

/// <summary>Sessions held now and their limits (section <c>Sessions</c>). Sessions live in this replica's memory: a restart ends them.</summary>
/// <param name="Active">Sessions held now (every caller's).</param>
/// <param name="MaxSessions">Sessions the service holds at most (<c>Sessions:MaxSessions</c>).</param>
/// <param name="MaxSessionsPerOwner">Sessions one API key (or the anonymous caller) holds at most (<c>Sessions:MaxSessionsPerOwner</c>).</param>
/// <param name="DefaultIdleTimeoutMs">Idle timeout of a session that asks for none (<c>Sessions:DefaultIdleTimeout</c>).</param>
/// <param name="MaxIdleTimeoutMs">Cap on <c>idleTimeoutMs</c> (<c>Sessions:MaxIdleTimeout</c>).</param>
/// <param name="MaxLifetimeMs">A session ends this long after its creation (<c>Sessions:MaxLifetime</c>).</param>
/// <param name="MaxQueuedPerSession">Requests that may wait behind a session's running one (<c>Sessions:MaxQueuedPerSession</c>).</param>
/// <param name="MaxFilesBytes">Bytes of files per session (<c>Sessions:MaxFilesBytes</c>).</param>
/// <param name="MaxUploadBytes">Largest upload (<c>Sessions:MaxUploadBytes</c>).</param>
/// <param name="ReplicaUrl">This replica's own URL for session requests, when configured (<c>Sessions:ReplicaUrl</c>).</param>
/// <param name="Isolations">The <c>isolation</c> values <c>POST /sessions</c> takes on this runtime: <c>shared</c>, and
/// <c>interpreter</c> on CPython 3.12+.</param>
public sealed record SessionInfo(int Active, int MaxSessions, int MaxSessionsPerOwner, long DefaultIdleTimeoutMs, long MaxIdleTimeoutMs,
    long MaxLifetimeMs, int MaxQueuedPerSession, long MaxFilesBytes, long MaxUploadBytes, string? ReplicaUrl, IReadOnlyList<string> Isolations);
