using Microsoft.Extensions.Logging;

namespace Sidewinder.Workers;

/// <summary>Settings of a <see cref="WorkerPool"/>. Defaults suit a sidecar on a small container.</summary>
public sealed class WorkerPoolOptions
{
    /// <summary>The configuration section an application usually binds: <c>Workers</c>.</summary>
    public const string SectionName = "Workers";

    /// <summary>Number of worker threads. Default: null, meaning the core count on a free-threaded build (workers run
    /// Python in parallel) and twice the core count on a GIL build (extra workers help jobs that block in I/O).</summary>
    public int? WorkerCount { get; set; }

    /// <summary>Jobs that may wait for a worker; a submission beyond it is rejected at once. Default: 256.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>Execution time limit of a job that does not set its own. Default: 30 s.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for a job's own timeout. Default: 5 min.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the deadline interrupt went in a job may take to stop before its worker counts as stuck in
    /// native code: the caller then gets the timeout result and the worker is quarantined. Default: 250 ms.</summary>
    public TimeSpan InterruptGracePeriod { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Characters of stdout, and separately of stderr, kept per job; the rest is dropped and flagged. Default: 1 Mi.</summary>
    public int MaxOutputChars { get; set; } = 1024 * 1024;

    /// <summary>Bytes of rich outputs (display data: base64 images, HTML, ...) kept per job; outputs past it are dropped,
    /// flagged and noted in stderr. Default: 8 MiB.</summary>
    public int MaxRichOutputBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Largest JSON value (result, each returned variable) in bytes. Default: 16 MiB.</summary>
    public int MaxResultBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Python <c>logging</c> records forwarded per job; further ones are counted, not kept. Default: 1000.</summary>
    public int MaxLogRecordsPerJob { get; set; } = 1000;

    /// <summary>Lowest Python logging level forwarded to .NET logging (sets the Python root logger level, once per process).
    /// Default: null, meaning the lowest level the pool's logger factory enables for the category
    /// <c>Sidewinder.Workers.Python</c> when the first pool starts, so Python does not build records .NET would drop
    /// (no level at all without a logger factory).</summary>
    public LogLevel? PythonLogLevel { get; set; }

    /// <summary>Python's cyclic garbage collector threshold (<c>gc.set_threshold</c>'s first value), set when the first
    /// pool starts (it is process-wide). 0 turns automatic collection off. Default: null, meaning Python's own (700 on
    /// 3.11, 2,000 on 3.13t). On a free-threaded build every collection stops all threads and walks the whole heap, so
    /// a service whose jobs allocate many container objects may want it higher (measured for trivial jobs: no
    /// difference between 2,000 and 20,000).</summary>
    public int? GcThreshold { get; set; }

    /// <summary>Stuck threads tolerated at once; while at the limit no replacement worker is started. Default: 4.</summary>
    public int MaxQuarantinedWorkers { get; set; } = 4;

    /// <summary>Directory of user <c>.py</c> files for call jobs, put first on <c>sys.path</c>. Default: null (installed packages only).</summary>
    public string? ScriptsDirectory { get; set; }

    /// <summary>Which modules call jobs may use. Default: <see cref="CallModuleScope.Any"/> (the scripts directory first, then
    /// any installed module). <see cref="CallModuleScope.Scripts"/> allows only the functions and classes that the
    /// <c>.py</c> files of <see cref="ScriptsDirectory"/> define themselves.</summary>
    public CallModuleScope CallModules { get; set; } = CallModuleScope.Any;

    /// <summary>Jobs running longer than this are logged as slow. Default: 5 s.</summary>
    public TimeSpan SlowJobThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At shutdown, how long running jobs may take to finish before they are interrupted. Default: 10 s.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Stack size of each worker thread in bytes. Default: 16 MiB (deep Python recursion and C extensions need it).</summary>
    public int WorkerStackSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long an idle worker spins (detached, yielding to other ready threads) looking for the next job before
    /// it sleeps. A job that arrives meanwhile starts without a thread wake-up, which saves several microseconds per job
    /// under steady traffic. At most half the cores spin at once, and none on a single core. Zero disables spinning.
    /// Default: 50 µs.</summary>
    public TimeSpan IdleSpinTime { get; set; } = TimeSpan.FromMicroseconds(50);

    /// <summary>Where jobs run. <see cref="WorkerIsolation.Shared"/> (the default): every worker in the one main interpreter.
    /// <see cref="WorkerIsolation.Interpreter"/>: each worker in a sub-interpreter of its own with its own GIL (CPython 3.12+;
    /// refused at start on 3.11), so CPU-bound jobs run in parallel on a GIL build and each worker has its own
    /// <c>sys.modules</c>, builtins and <c>sys.path</c>. Extension modules without sub-interpreter support (numpy today)
    /// cannot be imported there; session jobs still run in the main interpreter. See docs/workers.md.</summary>
    public WorkerIsolation Isolation { get; set; } = WorkerIsolation.Shared;

    /// <summary>Checks every setting; returns one message per problem (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WorkerCount is < 1 or > 1024)
        {
            errors.Add($"Workers:WorkerCount must be between 1 and 1024 (or unset for automatic); got {WorkerCount}.");
        }
        if (QueueCapacity < 1)
        {
            errors.Add($"Workers:QueueCapacity must be at least 1; got {QueueCapacity}.");
        }
        if (DefaultTimeout <= TimeSpan.Zero || DefaultTimeout > MaxTimeout)
        {
            errors.Add($"Workers:DefaultTimeout must be positive and at most MaxTimeout ({MaxTimeout}); got {DefaultTimeout}.");
        }
        if (InterruptGracePeriod < TimeSpan.Zero || InterruptGracePeriod > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Workers:InterruptGracePeriod must be between 0 and 1 minute; got {InterruptGracePeriod}.");
        }
        if (MaxOutputChars < 0)
        {
            errors.Add($"Workers:MaxOutputChars must not be negative; got {MaxOutputChars}.");
        }
        if (MaxRichOutputBytes < 0)
        {
            errors.Add($"Workers:MaxRichOutputBytes must not be negative; got {MaxRichOutputBytes}.");
        }
        if (MaxResultBytes < 16)
        {
            errors.Add($"Workers:MaxResultBytes must be at least 16; got {MaxResultBytes}.");
        }
        if (MaxLogRecordsPerJob < 0)
        {
            errors.Add($"Workers:MaxLogRecordsPerJob must not be negative; got {MaxLogRecordsPerJob}.");
        }
        if (GcThreshold < 0)
        {
            errors.Add($"Workers:GcThreshold must not be negative (0 turns automatic collection off); got {GcThreshold}.");
        }
        if (MaxQuarantinedWorkers < 0)
        {
            errors.Add($"Workers:MaxQuarantinedWorkers must not be negative; got {MaxQuarantinedWorkers}.");
        }
        if (ScriptsDirectory is not null && !Directory.Exists(ScriptsDirectory))
        {
            errors.Add($"Workers:ScriptsDirectory '{ScriptsDirectory}' does not exist.");
        }
        if (!Enum.IsDefined(CallModules))
        {
            errors.Add($"Workers:CallModules must be Any or Scripts; got {CallModules}.");
        }
        else if (CallModules == CallModuleScope.Scripts && ScriptsDirectory is null)
        {
            errors.Add("Workers:CallModules is Scripts, but no Workers:ScriptsDirectory is set: nothing could be called.");
        }
        if (SlowJobThreshold <= TimeSpan.Zero)
        {
            errors.Add($"Workers:SlowJobThreshold must be positive; got {SlowJobThreshold}.");
        }
        if (ShutdownGracePeriod < TimeSpan.Zero)
        {
            errors.Add($"Workers:ShutdownGracePeriod must not be negative; got {ShutdownGracePeriod}.");
        }
        if (WorkerStackSize is < 1024 * 1024 or > 256 * 1024 * 1024)
        {
            errors.Add($"Workers:WorkerStackSize must be between 1 MiB and 256 MiB; got {WorkerStackSize}.");
        }
        if (!Enum.IsDefined(Isolation))
        {
            errors.Add($"Workers:Isolation must be Shared or Interpreter; got {Isolation}.");
        }
        if (IdleSpinTime < TimeSpan.Zero || IdleSpinTime > TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"Workers:IdleSpinTime must be between 0 and 10 ms; got {IdleSpinTime}.");
        }
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem found by <see cref="Validate"/>.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid worker pool options: " + string.Join(" ", errors));
        }
    }

    internal int ResolveWorkerCount(bool parallel) =>
        WorkerCount ?? (parallel ? Environment.ProcessorCount : Math.Max(2, 2 * Environment.ProcessorCount));

    /// <summary>The Python logging level matching <see cref="PythonLogLevel"/>, or the lowest level
    /// <paramref name="pythonLogger"/> enables when it is unset. 100 (above CRITICAL) lets no record through.</summary>
    internal int ResolvePythonLevel(ILogger pythonLogger)
    {
        var level = PythonLogLevel ?? LowestEnabled(pythonLogger);
        return level switch
        {
            LogLevel.Trace or LogLevel.Debug => 10,
            LogLevel.Information => 20,
            LogLevel.Warning => 30,
            LogLevel.Error => 40,
            LogLevel.Critical => 50,
            _ => 100,
        };
    }

    private static LogLevel LowestEnabled(ILogger logger)
    {
        for (var level = LogLevel.Trace; level < LogLevel.None; level++)
        {
            if (logger.IsEnabled(level))
            {
                return level;
            }
        }
        return LogLevel.None;
    }
}

/// <summary>Which modules call jobs may use (<see cref="WorkerPoolOptions.CallModules"/>).</summary>
public enum CallModuleScope
{
    /// <summary>Any importable module: the scripts directory first, then installed packages and the standard library.</summary>
    Any,

    /// <summary>Only modules of the scripts directory, and only the functions and classes they define (not names they
    /// import), so that callers of <c>/call</c> can run nothing but the code the operator mounted.</summary>
    Scripts,
}

/// <summary>Where a pool's jobs run (<see cref="WorkerPoolOptions.Isolation"/>).</summary>
public enum WorkerIsolation
{
    /// <summary>Every worker runs its jobs in the main interpreter.</summary>
    Shared,

    /// <summary>Each worker runs its jobs in a sub-interpreter of its own, with its own GIL (CPython 3.12+).</summary>
    Interpreter,
}
