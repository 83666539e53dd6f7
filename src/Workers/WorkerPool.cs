using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sidewinder.Interop;
using Sidewinder.Workers.Diagnostics;
using Sidewinder.Workers.Execution;

namespace Sidewinder.Workers;

/// <summary>A pool of dedicated Python worker threads that runs <see cref="PythonJob"/>s from a bounded queue,
/// with per-job output capture, deadlines, quarantine of stuck threads, metrics and traces.</summary>
/// <remarks>
/// <para>
/// Usable without HTTP: create it over a started <see cref="PythonRuntime"/> (or call
/// <see cref="WorkerPoolServiceCollectionExtensions.AddWorkerPool"/>) and <see cref="SubmitAsync"/> jobs.
/// Several pools may share one runtime. The pool does not own the runtime: dispose the pool first, then the runtime.
/// </para>
/// <para>
/// Threading: Python runs only on the pool's worker threads, each with a large stack and one thread state for
/// its life. Callers are never blocked by Python; <see cref="SubmitAsync"/> fails fast with
/// <see cref="JobOutcome.Rejected"/> when the queue is full.
/// </para>
/// </remarks>
public sealed class WorkerPool : IAsyncDisposable, IDisposable
{
    /// <summary>Name of the pool's <see cref="Meter"/>.</summary>
    public const string MeterName = "Sidewinder.Workers";

    /// <summary>Name of the pool's <see cref="ActivitySource"/> (spans <c>python.queue</c> and <c>python.execute</c>).</summary>
    public const string ActivitySourceName = "Sidewinder.Workers";

    private readonly WorkerPoolOptions _options;
    private readonly Channel<JobWorkItem> _queue;
    private readonly WorkerPoolMetrics _metrics;
    private readonly Lock _workersGate = new();
    private readonly Lock _hostGate = new();
    private readonly List<Worker> _workers = [];
    private readonly int _targetWorkers;
    private readonly bool _parallel;
    private InterpreterContext? _shared;
    private int _workerNumber;
    private int _live;
    private int _busy;
    private int _quarantined;
    private int _closing;
    private readonly Lazy<Task> _shutdown;

    /// <summary>Starts the workers and waits until each has its thread state and the host module is loaded.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public WorkerPool(PythonRuntime runtime, WorkerPoolOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _options = options ?? new WorkerPoolOptions();
        _options.ThrowIfInvalid();
        _shutdown = new Lazy<Task>(ShutdownCoreAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        Runtime = runtime;
        loggerFactory ??= NullLoggerFactory.Instance;
        Logger = loggerFactory.CreateLogger("Sidewinder.Workers.WorkerPool");
        PythonLogger = loggerFactory.CreateLogger("Sidewinder.Workers.Python");
        if (_options.Isolation == WorkerIsolation.Interpreter && runtime.Info.Version < new Version(3, 12))
        {
            throw new ArgumentException(
                $"Invalid worker pool options: Workers:Isolation=Interpreter runs each worker in a sub-interpreter with its own GIL, which needs CPython 3.12 or later (PEP 684); this runtime is {runtime.Info.Version.ToString(2)}. Use Workers:Isolation=Shared, or a 3.13 or 3.14 runtime (SIDEWINDER_PYTHON=3.14).");
        }
        _gilEnabled = runtime.IsGilEnabled; // on the constructing thread, once; afterwards the workers keep it current
        // Sub-interpreters with their own GIL run Python in parallel on a GIL build too.
        _parallel = (runtime.Info.IsFreeThreaded && !_gilEnabled) || _options.Isolation == WorkerIsolation.Interpreter;
        _targetWorkers = _options.ResolveWorkerCount(_parallel);
        _queue = Channel.CreateBounded<JobWorkItem>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails at once when full; nothing ever waits to write
            SingleReader = false,
            SingleWriter = false,
        });
        Idle = new IdleWorkers(_queue.Reader, () => IsClosing, _options.IdleSpinTime);
        _metrics = new WorkerPoolMetrics(meterFactory, () => Status);
        Watchdog = new Watchdog(this, _options.InterruptGracePeriod);

        var started = new CountdownEvent(_targetWorkers);
        Exception? failure = null;
        for (var i = 0; i < _targetWorkers; i++)
        {
            StartWorker(ex =>
            {
                if (ex is not null)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }
                started.Signal();
            });
        }
        started.Wait();
        started.Dispose();
        if (failure is not null)
        {
            Volatile.Write(ref _closing, 1);
            _queue.Writer.TryComplete();
            Idle.WakeAll();
            throw new InvalidOperationException("The Python worker pool could not start: " + failure.Message, failure);
        }
        Watchdog.Start();
        var info = runtime.Info;
        WorkerPoolLog.PoolStarted(Logger, _targetWorkers, _options.QueueCapacity,
            $"{info.Version}{(info.IsFreeThreaded ? " free-threaded" : "")} ({info.Installation.LibraryPath})", _parallel);
    }

    /// <summary>The pool's settings (do not change them after construction).</summary>
    public WorkerPoolOptions Options => _options;

    /// <summary>A point-in-time view of workers and queue.</summary>
    public WorkerPoolStatus Status => new(Volatile.Read(ref _live), Volatile.Read(ref _busy), _queue.Reader.Count,
        Volatile.Read(ref _quarantined), _parallel, Volatile.Read(ref _closing) == 0, _targetWorkers);

    /// <summary>Queues a job and returns its result when it has run (or at once, if rejected).</summary>
    /// <remarks>Never throws for job failures: Python errors, timeouts, cancellation and rejection are outcomes.
    /// Cancelling <paramref name="cancellationToken"/> skips a queued job and interrupts a running one.</remarks>
    public Task<JobResult> SubmitAsync(PythonJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var timeout = job.Timeout is { } requested
            ? (requested <= TimeSpan.Zero ? _options.DefaultTimeout : requested > _options.MaxTimeout ? _options.MaxTimeout : requested)
            : _options.DefaultTimeout;
        var item = new JobWorkItem(job, job.Id ?? NewJobId(), timeout, Activity.Current?.Context ?? default);
        job.Events?.CompleteWhen(item.Task);
        if (Volatile.Read(ref _closing) != 0)
        {
            return Reject(item, JobErrorTypes.ShuttingDown, "The worker pool is shutting down.");
        }
        if (Volatile.Read(ref _live) == 0)
        {
            return Reject(item, JobErrorTypes.NoWorkers, "No worker is available: every worker is stuck in native code.");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            CancelQueued(item, JobErrorTypes.Cancelled, "The job was cancelled before it was queued.");
            return item.Task;
        }
        item.RegisterCancellation(OnCancelled, cancellationToken);
        if (_queue.Writer.TryWrite(item))
        {
            Idle.OnQueued();
        }
        else
        {
            if (item.TryCancelQueued(i => Unstarted(i, JobOutcome.Rejected, JobErrorTypes.QueueFull, $"The job queue is full ({_options.QueueCapacity} jobs).")))
            {
                WorkerPoolLog.JobRejected(Logger, item.Id, "queue full");
                _metrics.Record(item.Task.Result, job.Kind);
            }
        }
        return item.Task;
    }

    /// <summary>Stops taking jobs, lets running jobs finish within <see cref="WorkerPoolOptions.ShutdownGracePeriod"/>,
    /// interrupts the rest, cancels queued jobs with a clear result, and stops the threads.</summary>
    /// <remarks>Safe to call concurrently (the host's stop and its disposal may overlap): every caller gets the same task.</remarks>
    public Task ShutdownAsync()
    {
        Volatile.Write(ref _closing, 1);
        return _shutdown.Value;
    }

    private async Task ShutdownCoreAsync()
    {
        WorkerPoolLog.ShuttingDown(Logger, Volatile.Read(ref _busy), _queue.Reader.Count);
        _queue.Writer.TryComplete();
        Idle.WakeAll();
        while (_queue.Reader.TryRead(out var queued))
        {
            CancelQueued(queued, JobErrorTypes.ShuttingDown, "The worker pool shut down before the job started.");
        }
        var grace = Stopwatch.StartNew();
        while (Volatile.Read(ref _busy) > 0 && grace.Elapsed < _options.ShutdownGracePeriod)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        var running = Volatile.Read(ref _busy);
        if (running > 0)
        {
            WorkerPoolLog.ShutdownInterrupted(Logger, running);
            foreach (var worker in AllWorkers())
            {
                if (worker.Current is { } item)
                {
                    item.CancelRequested = true;
                }
            }
            Watchdog.Wake();
        }
        Worker[] workers;
        lock (_workersGate)
        {
            workers = [.. _workers.Where(w => !w.Quarantined)];
        }
        // Quarantined threads are stuck in C and are not waited for; they are background threads.
        await Task.WhenAll(workers.Select(w => w.Exited)).WaitAsync(_options.InterruptGracePeriod + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        Watchdog.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Same as <see cref="ShutdownAsync"/>.</summary>
    public ValueTask DisposeAsync() => new(ShutdownAsync());

    /// <summary>Shuts down, blocking until done; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => ShutdownAsync().GetAwaiter().GetResult();

    internal PythonRuntime Runtime { get; }

    internal ILogger Logger { get; }

    internal ILogger PythonLogger { get; }

    internal Watchdog Watchdog { get; }

    /// <summary>The main interpreter's context: every job's with <see cref="WorkerIsolation.Shared"/>, and shared sessions'.</summary>
    internal InterpreterContext Shared => _shared!;

    internal IdleWorkers Idle { get; }

    internal bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Loads the host module into the main interpreter once; called by each worker while detached (it attaches
    /// under the lock).</summary>
    internal InterpreterContext EnsureHost()
    {
        lock (_hostGate)
        {
            if (_shared is null)
            {
                var host = PythonHost.GetOrLoad(Runtime, _options, PythonLogger);
                if (host.ImmortalizesNewObjects)
                {
                    WorkerPoolLog.ImmortalCodeObjects(Logger);
                }
                _shared = InterpreterContext.Create(Runtime.MainInterpreter, host, _options);
            }
            return _shared;
        }
    }

    /// <summary>A context of its own for a worker or a session (<see cref="WorkerIsolation.Interpreter"/>): a sub-interpreter
    /// with its own GIL, made on the calling worker thread, and a host loaded into it.</summary>
    internal InterpreterContext CreateOwnContext()
    {
        // subprocess stays allowed, as in the main interpreter (the trust model); fork and daemon threads are not.
        var interpreter = Runtime.CreateInterpreter(new InterpreterOptions { AllowExec = true });
        try
        {
            var host = PythonHost.LoadInto(interpreter, _options, PythonLogger);
            return InterpreterContext.Create(interpreter, host, _options);
        }
        catch
        {
            interpreter.End(_options.ShutdownGracePeriod);
            throw;
        }
    }

    /// <summary>How jobs are isolated (validated against the runtime at construction).</summary>
    internal WorkerIsolation Isolation => _options.Isolation;

    internal Worker[] AllWorkers()
    {
        lock (_workersGate)
        {
            return [.. _workers];
        }
    }

    internal void BusyChanged(int delta) => Interlocked.Add(ref _busy, delta);

    internal void Finished(JobResult result, string kind, string worker)
    {
        _metrics.Record(result, kind);
        WorkerPoolLog.JobFinished(Logger, result.JobId, kind, worker, result.Outcome, result.Execution, result.QueueWait);
        if (result.Execution >= _options.SlowJobThreshold)
        {
            WorkerPoolLog.SlowJob(Logger, kind, result.JobId, result.Execution, worker, result.Outcome);
        }
    }

    internal void CancelQueued(JobWorkItem item, string type, string message)
    {
        if (item.TryCancelQueued(i => Unstarted(i, JobOutcome.Cancelled, type, message)))
        {
            _metrics.Record(item.Task.Result, item.Job.Kind);
        }
    }

    /// <summary>The watchdog gave up on a job stuck in native code: complete it and replace its worker.</summary>
    internal void Abandon(Worker worker, JobWorkItem item)
    {
        // Count the quarantine before the job can complete, so the worker's retirement (which follows a failed
        // completion) always finds it counted.
        var quarantined = Interlocked.Increment(ref _quarantined);
        worker.Quarantined = true;
        worker.QuarantinedAt = Stopwatch.GetTimestamp();
        var output = item.Snapshot ?? CapturedOutput.Empty;
        var session = item.Job.Session;
        session?.MarkStuck(); // before the result reaches the session's queue, which must not hand its next job to a worker
        if (!item.TryAbandon(i => Worker.Build(i, JobRunner.Interrupted(i), output)))
        {
            session?.Unstick(); // the job completed meanwhile: nothing is stuck
            worker.Quarantined = false;
            Interlocked.Decrement(ref _quarantined);
            return;
        }
        Interlocked.Decrement(ref _live);
        BusyChanged(-1);
        Finished(item.Task.Result, item.Job.Kind, worker.Name);
        WorkerPoolLog.WorkerQuarantined(Logger, worker.Name, item.Id, quarantined);
        Replenish();
    }

    /// <summary>A quarantined worker's native call returned; its thread ends now.</summary>
    internal void OnRetired(Worker worker)
    {
        WorkerPoolLog.WorkerRetired(Logger, worker.Name, Stopwatch.GetElapsedTime(worker.QuarantinedAt));
        BusyChanged(+1); // Execute decremented busy again after the abandoned job; Abandon already had
        lock (_workersGate)
        {
            _workers.Remove(worker);
        }
        Interlocked.Decrement(ref _quarantined);
        Replenish();
    }

    private volatile bool _gilEnabled;

    /// <summary>True on a free-threaded build with <see cref="WorkerIsolation.Interpreter"/>: a stuck worker's replacement
    /// starts only once no worker is stuck, since creating its sub-interpreter stops every thread of the process and would
    /// wait for a stuck thread that is still attached.</summary>
    public bool ReplacesStuckWorkersOnlyOnReturn => Runtime.Info.IsFreeThreaded && _options.Isolation == WorkerIsolation.Interpreter;

    /// <summary>Whether the GIL is enabled, as the workers last saw it after a job (on a free-threaded build an extension
    /// without free-threading support turns it on when imported). Reading it never attaches to Python.</summary>
    public bool GilEnabled
    {
        get => _gilEnabled;
        internal set => _gilEnabled = value;
    }

    internal void OnFailed(Worker worker)
    {
        lock (_workersGate)
        {
            _workers.Remove(worker);
        }
        if (!worker.Quarantined)
        {
            Interlocked.Decrement(ref _live);
        }
        Replenish();
    }

    private void Replenish()
    {
        while (!IsClosing && Volatile.Read(ref _live) < _targetWorkers)
        {
            if (Volatile.Read(ref _quarantined) > _options.MaxQuarantinedWorkers)
            {
                WorkerPoolLog.QuarantineLimitReached(Logger, _options.MaxQuarantinedWorkers, Volatile.Read(ref _live));
                return;
            }
            if (Volatile.Read(ref _quarantined) > 0 && ReplacesStuckWorkersOnlyOnReturn)
            {
                // Py_NewInterpreterFromConfig stops every thread of the process (it turns the GIL on for a moment), and a
                // stuck thread still attached (a C call that keeps the GIL, a long regex) never stops: every other worker
                // would stay paused until it returned. The retiring worker's OnRetired starts the replacement instead.
                WorkerPoolLog.ReplacementPostponed(Logger, Volatile.Read(ref _quarantined), Volatile.Read(ref _live));
                return;
            }
            StartWorker(static _ => { });
        }
    }

    private void StartWorker(Action<Exception?> started)
    {
        var worker = new Worker(this, Interlocked.Increment(ref _workerNumber), _options.WorkerStackSize);
        lock (_workersGate)
        {
            _workers.Add(worker);
        }
        Interlocked.Increment(ref _live);
        worker.Start(ex =>
        {
            if (ex is not null)
            {
                Interlocked.Decrement(ref _live);
                lock (_workersGate)
                {
                    _workers.Remove(worker);
                }
            }
            started(ex);
        });
    }

    private void OnCancelled(JobWorkItem item)
    {
        if (item.TryCancelQueued(i => Unstarted(i, JobOutcome.Cancelled, JobErrorTypes.Cancelled, "The job was cancelled before it started.")))
        {
            _metrics.Record(item.Task.Result, item.Job.Kind);
        }
        else if (item.IsRunning)
        {
            item.CancelRequested = true;
            Watchdog.Wake();
        }
    }

    private Task<JobResult> Reject(JobWorkItem item, string type, string message)
    {
        var result = Unstarted(item, JobOutcome.Rejected, type, message);
        item.Reject(result);
        WorkerPoolLog.JobRejected(Logger, item.Id, message);
        _metrics.Record(result, item.Job.Kind);
        return item.Task;
    }

    /// <summary>32 random hex digits, the shape of a GUID's "N" form. Ids only correlate logs, traces and results, so
    /// <see cref="Random.Shared"/> is enough, and it costs a tenth of <see cref="Guid.NewGuid"/> (a system call here).</summary>
    internal static string NewJobId()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static JobResult Unstarted(JobWorkItem item, JobOutcome outcome, string type, string message) => new()
    {
        JobId = item.Id,
        Outcome = outcome,
        Error = new JobError(type, message),
        QueueWait = Stopwatch.GetElapsedTime(item.EnqueuedAt),
    };
}
