using System.Runtime.InteropServices;
using Sidewinder.Interop.Json;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>One interpreter of the runtime: the main one (<see cref="PythonRuntime.MainInterpreter"/>) or a sub-interpreter
/// (PEP 684) made by <see cref="PythonRuntime.CreateInterpreter"/>, which with <see cref="InterpreterOptions.OwnGil"/> has a
/// GIL of its own, so two sub-interpreters run Python in parallel on a GIL build.</summary>
/// <remarks>
/// <para>
/// A <see cref="Python"/> token is bound to the interpreter its thread attached to. Objects never cross interpreters: a
/// <see cref="PyOwned"/> made under one refuses a token of another (<see cref="InvalidOperationException"/>), and a thread
/// attaches to one interpreter at a time (attaching to another while attached throws; detach first). Each thread gets its
/// own thread state in each interpreter it attaches to, kept until the interpreter ends; <c>PyGILState_*</c> is never used
/// for a sub-interpreter (it assumes the main one). Decrefs queued by finalizers are kept per interpreter and run only
/// under it.
/// </para>
/// <para>
/// <see cref="End"/> (or <see cref="Dispose"/>) ends a sub-interpreter on the calling thread, once no thread is attached
/// to it. It refuses (returns false and leaves the interpreter alive) while a thread the interpreter's code started is
/// still running, because <c>Py_EndInterpreter</c> would wait for it without bound (or abort the process, for a thread
/// started with <c>_thread</c>). The runtime ends the sub-interpreters still alive before it finalises the main one, and
/// skips finalisation if one cannot be ended.
/// </para>
/// </remarks>
public sealed class PythonInterpreter : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(ThreadAttachment Attachment, nint ThreadState)> _threadStates = [];
    private int _attached;
    private volatile bool _ending;
    private volatile bool _ended;

    internal PythonInterpreter(PythonRuntime runtime, nint state, InterpreterOptions? options)
    {
        Runtime = runtime;
        State = state;
        Options = options;
        IsMain = options is null;
        Id = Native.State.PyInterpreterState_GetID(state);
    }

    /// <summary>The runtime this interpreter belongs to.</summary>
    public PythonRuntime Runtime { get; }

    /// <summary>True for the main interpreter.</summary>
    public bool IsMain { get; }

    /// <summary>CPython's id of the interpreter (0 for the main one), as <c>_interpreters.get_current()</c> reports it.</summary>
    public long Id { get; }

    /// <summary>How a sub-interpreter was created; null for the main interpreter.</summary>
    public InterpreterOptions? Options { get; }

    /// <summary>False once a sub-interpreter has ended (or the runtime has shut down).</summary>
    public bool IsAlive => !_ended && Runtime.IsRunning;

    /// <summary>Decrefs queued by finalizers for this interpreter and not yet drained.</summary>
    public int PendingDecrefs => Pool.PendingCount;

    internal nint State { get; }

    internal ReferencePool Pool { get; } = new();

    /// <summary>The <see cref="DictWatch"/> watcher registered in this interpreter (ids are per interpreter), or -1.</summary>
    internal int DictWatcherId = -1;

    /// <summary>Library types the JSON writer recognises, resolved from this interpreter's own modules.</summary>
    internal JsonTypeCache JsonTypes { get; } = new();

    /// <summary>The buffer exporter type (a heap type, so one per interpreter). Created by running Python (a class statement),
    /// so a thread that finds another creating it waits detached.</summary>
    internal PyOnceCell<nint> BufferExporterType { get; } = new();

    /// <summary>Attaches the calling thread to this interpreter (re-entrant); dispose the scope on the same thread.</summary>
    /// <exception cref="InvalidOperationException">The thread is attached to another interpreter.</exception>
    /// <exception cref="ObjectDisposedException">The interpreter has ended or the runtime is shutting down.</exception>
    public AttachScope Attach()
    {
        if (IsMain)
        {
            return Runtime.Attach();
        }
        var attachment = ThreadAttachment.Current;
        if (attachment.Depth > 0)
        {
            if (attachment.Interpreter != this)
            {
                throw OtherInterpreter(attachment, this);
            }
            attachment.Depth++;
            return new AttachScope(this, attachment);
        }
        var threadState = attachment.ThreadStateIn(this);
        if (threadState == 0)
        {
            threadState = NewThreadState(attachment);
        }
        Enter();
        Native.State.PyEval_RestoreThread(threadState);
        attachment.Depth = 1;
        attachment.Interpreter = this;
        if (Pool.HasPending)
        {
            Pool.Drain();
        }
        return new AttachScope(this, attachment);
    }

    /// <summary>Runs <paramref name="body"/> attached to this interpreter and returns its result.</summary>
    public T Attach<T>(PythonFunc<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = Attach();
        return body(scope.Python);
    }

    /// <summary>Runs <paramref name="body"/> attached to this interpreter.</summary>
    public void Attach(PythonAction body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = Attach();
        body(scope.Python);
    }

    internal static InvalidOperationException OtherInterpreter(ThreadAttachment attachment, PythonInterpreter wanted) => new(
        $"This thread is attached to interpreter {attachment.Interpreter?.Id ?? 0} and cannot attach to interpreter {wanted.Id} inside that scope: a thread attaches to one interpreter at a time, and objects never cross interpreters. Dispose the outer attach scope first.");

    /// <summary>Counts the caller as attached unless the interpreter is ending or the runtime shutting down.</summary>
    private void Enter()
    {
        if (!Runtime.TryEnter())
        {
            throw new ObjectDisposedException(nameof(PythonRuntime), "The Python runtime is shutting down.");
        }
        Interlocked.Increment(ref _attached);
        if (_ending)
        {
            Interlocked.Decrement(ref _attached);
            Runtime.Exit();
            throw new ObjectDisposedException(nameof(PythonInterpreter), $"Sub-interpreter {Id} has ended.");
        }
    }

    /// <summary>Detaches the thread (the outermost scope's dispose).</summary>
    internal void Release(ThreadAttachment attachment)
    {
        Native.State.PyEval_SaveThread();
        attachment.Interpreter = null;
        Interlocked.Decrement(ref _attached);
        Runtime.Exit();
    }

    /// <summary>A thread state of this thread in this interpreter, made while detached. The thread first gets a main-interpreter
    /// thread state if it has none: CPython binds the first thread state a thread gets as its <c>PyGILState</c> state, and a
    /// sub-interpreter's would dangle there once the interpreter ended on another thread.</summary>
    private nint NewThreadState(ThreadAttachment attachment)
    {
        if (Native.State.PyGILState_GetThisThreadState() == 0)
        {
            Runtime.Attach().Dispose();
        }
        lock (_gate)
        {
            if (_ending)
            {
                throw new ObjectDisposedException(nameof(PythonInterpreter), $"Sub-interpreter {Id} has ended.");
            }
            var threadState = Native.State.PyThreadState_New(State);
            if (threadState == 0)
            {
                throw new InvalidOperationException("PyThreadState_New failed (out of memory).");
            }
            _threadStates.Add((attachment, threadState));
            attachment.AddThreadState(this, threadState);
            return threadState;
        }
    }

    /// <summary>Registers the thread state <c>Py_NewInterpreterFromConfig</c> made for the creating thread.</summary>
    internal void Adopt(ThreadAttachment attachment, nint threadState)
    {
        lock (_gate)
        {
            _threadStates.Add((attachment, threadState));
        }
        attachment.AddThreadState(this, threadState);
    }

    /// <summary>Queues a decref for the next thread attached to this interpreter; dropped once the interpreter has ended.</summary>
    internal void DeferDecref(NewRef reference)
    {
        if (IsMain)
        {
            Runtime.DeferDecref(reference);
        }
        else if (!_ended)
        {
            Pool.Enqueue(reference);
        }
    }

    /// <summary>Ends this sub-interpreter on the calling thread (which must not be attached), waiting up to
    /// <paramref name="timeout"/> for threads attached to it to leave.</summary>
    /// <returns>True when it has ended (or had already); false when a thread was still attached at the deadline or a thread
    /// its code started is still running (the interpreter then stays alive, and a later call retries).</returns>
    /// <exception cref="InvalidOperationException">This is the main interpreter (the runtime ends it), or the calling
    /// thread is attached.</exception>
    public bool End(TimeSpan timeout)
    {
        if (IsMain)
        {
            throw new InvalidOperationException("The main interpreter ends with the runtime (PythonRuntime.Shutdown).");
        }
        if (ThreadAttachment.IsCurrentThreadAttached)
        {
            throw new InvalidOperationException("End a sub-interpreter from a thread that is not attached to any interpreter.");
        }
        if (_ended)
        {
            return true;
        }
        if (!Runtime.TryEnter())
        {
            return false; // shutting down: the runtime ends it on its owner thread
        }
        try
        {
            return EndCore(timeout);
        }
        finally
        {
            Runtime.Exit();
        }
    }

    /// <summary>Ends the sub-interpreter; the caller is counted as inside the runtime (or is its owner thread at shutdown).</summary>
    internal bool EndCore(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return true;
            }
            _ending = true;
            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (Volatile.Read(ref _attached) > 0 && Environment.TickCount64 < deadline)
            {
                Thread.Sleep(1);
            }
            if (Volatile.Read(ref _attached) > 0)
            {
                _ending = false;
                return false;
            }
            var attachment = ThreadAttachment.Current;
            var own = attachment.ThreadStateIn(this);
            if (own == 0)
            {
                if (Native.State.PyGILState_GetThisThreadState() == 0)
                {
                    _ending = false;
                    Runtime.Attach().Dispose(); // see NewThreadState
                    _ending = true;
                }
                own = Native.State.PyThreadState_New(State);
                if (own == 0)
                {
                    _ending = false;
                    return false;
                }
                _threadStates.Add((attachment, own));
                attachment.AddThreadState(this, own);
            }
            Native.State.PyEval_RestoreThread(own);
            // A thread that has just finished (joined) can keep its thread state for a moment longer: look again until the deadline.
            while (!CanEnd(own))
            {
                Native.State.PyEval_SaveThread();
                if (Environment.TickCount64 >= deadline)
                {
                    _ending = false;
                    return false;
                }
                Thread.Sleep(2);
                Native.State.PyEval_RestoreThread(own);
            }
            Pool.Drain();
            foreach (var (owner, threadState) in _threadStates)
            {
                owner.RemoveThreadState(this);
                if (threadState != own)
                {
                    // Other threads' states here: none of them is attached (counted above), and none is a thread's PyGILState
                    // state (NewThreadState), so deleting them from this thread leaves nothing dangling.
                    Native.State.PyThreadState_Clear(threadState);
                    Native.State.PyThreadState_Delete(threadState);
                }
            }
            _threadStates.Clear();
            Native.State.Py_EndInterpreter(own); // leaves no thread state current
            _ended = true;
            Runtime.Ended(this);
            return true;
        }
    }

    /// <summary>False while a thread this interpreter's code started runs (or has a thread state here that is not ours):
    /// <c>Py_EndInterpreter</c> joins <c>threading</c>'s threads without a bound and aborts the process on any other.</summary>
    private bool CanEnd(nint own)
    {
        var py = new Python(this);
        try
        {
            // threading lists threads that attached from outside (ours) as _DummyThread, and the process's main thread as
            // _MainThread; Py_EndInterpreter waits only for the others.
            using var running = py.Eval(
                "__import__('sys').modules.get('threading') is not None and any(type(t).__name__ not in ('_MainThread', '_DummyThread') for t in __import__('threading').enumerate())");
            if (running.IsTrue())
            {
                return false;
            }
        }
        catch (PythonException)
        {
            return false; // a job broke threading: assume the worst
        }
        var known = new HashSet<nint>();
        foreach (var (_, threadState) in _threadStates)
        {
            known.Add(threadState);
        }
        for (var state = Native.State.PyInterpreterState_ThreadHead(State); state != 0; state = Native.State.PyThreadState_Next(state))
        {
            if (state != own && !known.Contains(state))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Ends a sub-interpreter within the runtime's shutdown timeout; see <see cref="End"/>.</summary>
    public void Dispose()
    {
        if (!IsMain)
        {
            _ = End(Runtime.ShutdownTimeout);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => IsMain ? "main interpreter" : $"sub-interpreter {Id}";

    /// <summary>Creates a sub-interpreter on the calling thread, which keeps the thread state CPython makes for it.</summary>
    internal static unsafe PythonInterpreter Create(PythonRuntime runtime, InterpreterOptions options)
    {
        var attachment = ThreadAttachment.Current;
        if (attachment.Depth != 0)
        {
            throw new InvalidOperationException("Create a sub-interpreter from a thread that is not attached to any interpreter.");
        }
        var config = new InterpreterConfig
        {
            UseMainObmalloc = options.OwnGil ? 0 : 1,
            AllowFork = options.AllowFork ? 1 : 0,
            AllowExec = options.AllowExec ? 1 : 0,
            AllowThreads = options.AllowThreads ? 1 : 0,
            AllowDaemonThreads = options.AllowDaemonThreads ? 1 : 0,
            CheckMultiInterpExtensions = 1,
            Gil = options.OwnGil ? 2 : 1,
        };
        // Py_NewInterpreterFromConfig runs with the caller attached to the main interpreter; on success the new
        // interpreter's first thread state is current (and the main one detached), on failure the main one is current again.
        using var scope = runtime.Attach();
        nint threadState = 0;
        var status = Native.State.Py_NewInterpreterFromConfig(&threadState, &config);
        if (status.Type != 0 || threadState == 0)
        {
            var message = status.ErrMsg == 0 ? "unknown error" : Marshal.PtrToStringUTF8(status.ErrMsg);
            throw new PythonInitializationException($"Py_NewInterpreterFromConfig failed: {message}.");
        }
        var interpreter = new PythonInterpreter(runtime, Native.State.PyThreadState_GetInterpreter(threadState), options);
        interpreter.Adopt(attachment, threadState);
        Native.State.PyEval_SaveThread(); // detaches the new interpreter's thread state
        // The main thread state was detached by CPython: only the bookkeeping of the scope remains to undo.
        attachment.Depth = 0;
        attachment.Interpreter = null;
        runtime.Exit();
        runtime.Created(interpreter);
        return interpreter;
    }
}
