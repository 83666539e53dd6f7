using System.Runtime.InteropServices;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>The embedded CPython interpreter: one per process, owned by whoever started it (usually a DI singleton).</summary>
/// <remarks>
/// <para>
/// <see cref="Start"/> loads libpython and initialises it on a dedicated owner thread, which detaches
/// immediately (a free-threaded build would otherwise stall every stop-the-world pause on it) and then
/// only waits for <see cref="Dispose"/> to finalise the interpreter on that same thread.
/// </para>
/// <para>
/// Threads reach Python through <see cref="Attach()"/>. A long-lived thread should first create its own
/// <see cref="PythonThreadState"/> (<see cref="CreateThreadState"/>) so attach/detach is a cheap
/// <c>PyEval_RestoreThread</c>/<c>PyEval_SaveThread</c> pair. Any other thread may attach too: on its first
/// attach the runtime creates a thread state for it and keeps it until the thread has ended (see
/// docs/interop.md), so later attaches cost the same pair. Only a thread whose thread state
/// belongs to someone else (one started by Python) goes through <c>PyGILState_Ensure</c>/<c>Release</c>.
/// </para>
/// <para>
/// CPython cannot be re-initialised reliably once finalised (extension modules such as numpy keep
/// static state), so a process may start one runtime only.
/// </para>
/// </remarks>
public sealed class PythonRuntime : IDisposable
{
    private static int s_started;

    private readonly PythonRuntimeOptions _options;
    private readonly Thread _owner;
    private readonly ManualResetEventSlim _shutdownRequested = new();
    private readonly ManualResetEventSlim _finalized = new();
    private readonly Lock _shutdownGate = new();
    private int _activeAttaches;
    private volatile bool _closing;
    private volatile bool _finalizeCompleted;
    private Exception? _startFailure;

    private PythonRuntime(PythonRuntimeOptions options, PythonInstallation installation)
    {
        _options = options;
        Installation = installation;
        _owner = new Thread(OwnerThread, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "python-owner" };
    }

    internal ReferencePool Pool => MainInterpreter.Pool;

    /// <summary>The main interpreter, the one <see cref="Attach()"/> attaches to.</summary>
    public PythonInterpreter MainInterpreter { get; private set; } = null!;

    private readonly List<PythonInterpreter> _subInterpreters = [];

    /// <summary>The sub-interpreters alive now (made by <see cref="CreateInterpreter"/> and not ended).</summary>
    public IReadOnlyList<PythonInterpreter> SubInterpreters
    {
        get
        {
            lock (_subInterpreters)
            {
                return [.. _subInterpreters];
            }
        }
    }

    /// <summary>How long <see cref="Shutdown"/> (and <see cref="PythonInterpreter.Dispose"/>) wait for attached threads.</summary>
    public TimeSpan ShutdownTimeout => _options.ShutdownTimeout;

    /// <summary>Thread states created for threads that attach without a <see cref="PythonThreadState"/>.</summary>
    internal ImplicitThreadStates ImplicitThreadStates { get; } = new();

    internal Builtins Builtins { get; private set; } = null!;

    /// <summary>The located installation.</summary>
    public PythonInstallation Installation { get; }

    /// <summary>Version and build of the running interpreter.</summary>
    public PythonInfo Info { get; private set; } = null!;

    /// <summary>False once <see cref="Dispose"/> has begun; attaching then throws <see cref="ObjectDisposedException"/>.</summary>
    public bool IsRunning => !_closing;

    /// <summary>Decrefs queued by finalizers and not yet drained (for diagnostics and tests).</summary>
    public int PendingDecrefs => Pool.PendingCount;

    /// <summary>Locates, loads and initialises Python. Throws <see cref="PythonNotFoundException"/> or
    /// <see cref="PythonInitializationException"/> with a message that says what to change.</summary>
    public static PythonRuntime Start(PythonRuntimeOptions? options = null)
    {
        options ??= new PythonRuntimeOptions();
        var installation = PythonLocator.Locate(options);
        if (Interlocked.Exchange(ref s_started, 1) != 0)
        {
            throw new InvalidOperationException("A Python runtime was already started in this process; CPython can be initialised once per process. Share the existing PythonRuntime.");
        }
        var memoryLimit = MemoryCeiling.Apply(options, installation); // read by mimalloc when the library is loaded
        PythonLibrary.Load(installation.LibraryPath);
        var runtime = new PythonRuntime(options, installation) { _memoryLimit = memoryLimit };
        runtime._owner.Start();
        runtime._ready.Wait();
        if (runtime._startFailure is not null)
        {
            throw runtime._startFailure;
        }
        return runtime;
    }

    private readonly ManualResetEventSlim _ready = new();
    private long? _memoryLimit;

    private void OwnerThread()
    {
        nint mainThreadState;
        try
        {
            var version = Initialization.ReadVersion();
            Initialization.Initialize(version, Installation);
            Builtins = new Builtins();
            Info = new PythonInfo(version, Builtins.VersionText, Builtins.IsFreeThreaded, Installation) { MemoryLimitBytes = _memoryLimit };
            MainInterpreter = new PythonInterpreter(this, Builtins.Interpreter, options: null);
            var attachment = ThreadAttachment.Current;
            attachment.Depth = 0;
            mainThreadState = State.PyEval_SaveThread();
        }
        catch (Exception ex)
        {
            _startFailure = ex;
            _ready.Set();
            return;
        }
        _ready.Set();

        _shutdownRequested.Wait();
        // Sub-interpreters end first, each through a thread state of this thread (PythonInterpreter.EndCore). One that
        // cannot end (a thread its code started still runs) leaves the whole runtime unfinalised, as a thread still inside
        // Python does: finalising the main interpreter under a live sub-interpreter is not safe on 3.12.
        foreach (var interpreter in SubInterpreters)
        {
            if (!interpreter.EndCore(TimeSpan.Zero))
            {
                _ownerDone.Set();
                return;
            }
        }
        State.PyEval_RestoreThread(mainThreadState);
        Pool.Drain();
        FinalizeStatus = Lifecycle.Py_FinalizeEx();
        ImplicitThreadStates.Finalized();
        _finalizeCompleted = true;
        _finalized.Set();
        _ownerDone.Set();
    }

    private readonly ManualResetEventSlim _ownerDone = new();

    /// <summary>Creates a sub-interpreter (PEP 684; CPython 3.12+) on the calling thread, which must not be attached. With
    /// <see cref="InterpreterOptions.OwnGil"/> (the default) it has its own GIL. Creating one costs milliseconds: keep them.</summary>
    /// <exception cref="NotSupportedException">The runtime is CPython 3.11 (no per-interpreter GIL).</exception>
    /// <exception cref="PythonInitializationException">CPython refused the configuration.</exception>
    public PythonInterpreter CreateInterpreter(InterpreterOptions? options = null)
    {
        if (Info.Version < new Version(3, 12))
        {
            throw new NotSupportedException(
                $"Sub-interpreters with their own GIL need CPython 3.12 or later (PEP 684); this runtime is {Info.Version.ToString(2)}.");
        }
        return PythonInterpreter.Create(this, options ?? new InterpreterOptions());
    }

    internal void Created(PythonInterpreter interpreter)
    {
        lock (_subInterpreters)
        {
            _subInterpreters.Add(interpreter);
        }
    }

    internal void Ended(PythonInterpreter interpreter)
    {
        lock (_subInterpreters)
        {
            _subInterpreters.Remove(interpreter);
        }
    }

    /// <summary>Attaches the calling thread (re-entrant). Dispose the scope on the same thread to detach.</summary>
    /// <exception cref="ObjectDisposedException">The runtime is shutting down.</exception>
    /// <exception cref="InvalidOperationException">The thread is attached to a sub-interpreter.</exception>
    public AttachScope Attach()
    {
        var attachment = ThreadAttachment.Current;
        var main = MainInterpreter;
        if (attachment.Depth++ == 0)
        {
            try
            {
                Acquire(attachment);
            }
            catch
            {
                attachment.Depth--;
                throw;
            }
            attachment.Interpreter = main;
        }
        else if (attachment.Interpreter != main)
        {
            attachment.Depth--;
            throw PythonInterpreter.OtherInterpreter(attachment, main);
        }
        return new AttachScope(main, attachment);
    }

    /// <summary>Runs <paramref name="body"/> attached and returns its result.</summary>
    public T Attach<T>(PythonFunc<T> body) => MainInterpreter.Attach(body);

    /// <summary>Runs <paramref name="body"/> attached.</summary>
    public void Attach(PythonAction body) => MainInterpreter.Attach(body);

    /// <summary>Creates this thread's long-lived thread state. Call on the thread that will use it; dispose on it too.</summary>
    public PythonThreadState CreateThreadState() => new(this);

    /// <summary>Whether the GIL is enabled right now (always true on a GIL build).</summary>
    public bool IsGilEnabled => Attach(static py => py.Runtime.Builtins.QueryGilEnabled(py));

    /// <summary>Counts the caller as inside Python unless shutdown has begun.</summary>
    internal bool TryEnter()
    {
        Interlocked.Increment(ref _activeAttaches);
        if (_closing)
        {
            Interlocked.Decrement(ref _activeAttaches);
            return false;
        }
        return true;
    }

    internal void Exit() => Interlocked.Decrement(ref _activeAttaches);

    internal void Acquire(ThreadAttachment attachment)
    {
        if (!TryEnter())
        {
            throw new ObjectDisposedException(nameof(PythonRuntime), "The Python runtime is shutting down.");
        }
        if (attachment.OwnedThreadState != 0)
        {
            State.PyEval_RestoreThread(attachment.OwnedThreadState);
            attachment.GilState = -1;
        }
        else if (State.PyGILState_GetThisThreadState() is var bound and not 0 && State.PyThreadState_GetInterpreter(bound) == Builtins.Interpreter)
        {
            // A thread state we did not create (a thread started by Python, calling back into .NET): share it.
            attachment.GilState = State.PyGILState_Ensure();
        }
        else
        {
            try
            {
                ImplicitThreadStates.CreateAndAttach(attachment, Builtins.Interpreter);
            }
            catch
            {
                Exit();
                throw;
            }
            attachment.GilState = -1;
        }
        if (Pool.HasPending)
        {
            Pool.Drain();
        }
    }

    internal void Release(ThreadAttachment attachment)
    {
        attachment.Interpreter = null;
        if (attachment.GilState < 0)
        {
            State.PyEval_SaveThread();
        }
        else
        {
            State.PyGILState_Release(attachment.GilState);
            attachment.GilState = -1;
        }
        Exit();
    }

    /// <summary>Queues a decref for the next attached thread (used when the releasing thread is not attached).</summary>
    internal void DeferDecref(NewRef reference)
    {
        if (!_finalizeCompleted)
        {
            Pool.Enqueue(reference);
        }
    }

    internal bool IsFinalized => _finalizeCompleted;

    /// <summary>The result of <c>Py_FinalizeEx</c> (0 = clean; -1 = flushing buffered data failed); null until finalised.</summary>
    public int? FinalizeStatus { get; private set; }

    /// <summary>
    /// Stops new attaches, waits for attached threads to leave (bounded by
    /// <see cref="PythonRuntimeOptions.ShutdownTimeout"/>), then finalises on the owner thread.
    /// </summary>
    /// <returns>True when <c>Py_FinalizeEx</c> completed in time; false when a thread was still inside
    /// Python at the deadline (finalisation skipped; calling again retries).</returns>
    public bool Shutdown()
    {
        _closing = true;
        lock (_shutdownGate)
        {
            if (_finalized.IsSet)
            {
                return true;
            }
            var deadline = DateTime.UtcNow + _options.ShutdownTimeout;
            while (Volatile.Read(ref _activeAttaches) > 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(2);
            }
            if (Volatile.Read(ref _activeAttaches) > 0)
            {
                // A thread is still inside Python (or detached inside an attach scope). Finalising now
                // would make CPython terminate or hang that thread when it re-attaches; leave the
                // interpreter alone. A later call retries.
                return false;
            }
            _shutdownRequested.Set();
            var remaining = deadline - DateTime.UtcNow;
            _ownerDone.Wait(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            return _finalized.IsSet;
        }
    }

    /// <summary>Same as <see cref="Shutdown"/>.</summary>
    public void Dispose() => Shutdown();
}

/// <summary>A callback that runs attached.</summary>
public delegate T PythonFunc<out T>(Python py);

/// <summary>A callback that runs attached.</summary>
public delegate void PythonAction(Python py);
