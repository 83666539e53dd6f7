using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>The long-lived CPython thread state of one managed thread.</summary>
/// <remarks>
/// Create it on the thread that will use it and dispose it on that thread before the thread ends.
/// While it exists, <see cref="PythonRuntime.Attach()"/> on this thread is a <c>PyEval_RestoreThread</c>
/// and the matching detach a <c>PyEval_SaveThread</c>. Extensions that look up "the thread state of
/// this thread" (pybind11, <c>PyGILState_Ensure</c>) find this one, so it stays the same for the thread's life.
/// </remarks>
public sealed class PythonThreadState : IDisposable
{
    private readonly PythonRuntime _runtime;
    private readonly ThreadAttachment _attachment;
    private readonly int _managedThreadId;
    private nint _threadState;

    internal PythonThreadState(PythonRuntime runtime)
    {
        _attachment = ThreadAttachment.Current;
        if (_attachment.OwnedThreadState != 0 && !_attachment.IsImplicit)
        {
            throw new InvalidOperationException("This thread already has a PythonThreadState.");
        }
        if (_attachment.Depth != 0)
        {
            throw new InvalidOperationException("Create the thread state before attaching the thread.");
        }
        _runtime = runtime;
        _managedThreadId = Environment.CurrentManagedThreadId;

        if (_attachment.IsImplicit)
        {
            // The thread attached before and the runtime made it a thread state then: take that one over, so
            // the thread keeps one thread state for its life (threading.local data, extensions that cache it).
            runtime.ImplicitThreadStates.Adopt(_attachment);
            _threadState = _attachment.OwnedThreadState;
        }
        else
        {
            // Created while detached, so CPython binds it as this thread's PyGILState thread state too.
            _threadState = State.PyThreadState_New(runtime.Builtins.Interpreter);
            if (_threadState == 0)
            {
                throw new InvalidOperationException("PyThreadState_New failed (out of memory).");
            }
        }
        // PyThreadState_SetAsyncExc matches on the OS thread ident the state was bound to at creation.
        ThreadId = State.PyThread_get_thread_ident();
        _attachment.OwnedThreadState = _threadState;
    }

    /// <summary>The OS thread ident CPython knows this thread by (<c>threading.get_ident()</c> on it).</summary>
    public ulong ThreadId { get; private set; }

    /// <summary>
    /// Schedules <paramref name="exceptionType"/> to be raised in this thread at its next bytecode boundary
    /// (<c>PyThreadState_SetAsyncExc</c>). Callable from any attached thread, e.g. a watchdog.
    /// </summary>
    /// <remarks>
    /// It does not interrupt a thread blocked in C (<c>time.sleep</c>, a socket read): the exception is raised
    /// when that call returns to the interpreter. Pass a type that derives from <c>BaseException</c> but not
    /// <c>Exception</c> so that user code's <c>except Exception</c> cannot swallow it.
    /// </remarks>
    /// <returns>False when the thread state no longer exists.</returns>
    public bool Interrupt(Python py, PyOwned exceptionType)
    {
        ArgumentNullException.ThrowIfNull(exceptionType);
        var id = ThreadId;
        return id != 0 && State.PyThreadState_SetAsyncExc(id, exceptionType.Borrow(py)) > 0;
    }

    /// <summary>Cancels an interrupt scheduled by <see cref="Interrupt"/> that has not fired yet.</summary>
    /// <remarks>
    /// <para>On the thread that owns this state (attached through it), the pending exception is let fire in a no-op
    /// expression and discarded. That is the only way that works on every version: cancelling it with
    /// <c>PyThreadState_SetAsyncExc(id, NULL)</c> leaves CPython 3.11's eval breaker set for good (3.11 clears it only
    /// when an async exception is raised), and with a trace function installed the thread's next Python code spins.</para>
    /// <para>From another thread, 3.12+ cancel it with <c>PyThreadState_SetAsyncExc(id, NULL)</c>, which they handle
    /// correctly; on 3.11 that throws <see cref="InvalidOperationException"/>: call it on the owning thread instead.</para>
    /// </remarks>
    public void ClearInterrupt(Python py)
    {
        var id = ThreadId;
        if (id == 0)
        {
            return;
        }
        if (Environment.CurrentManagedThreadId == _managedThreadId && _attachment.Depth > 0)
        {
            try
            {
                py.Eval("None").Dispose(); // the eval loop's first instruction checks the eval breaker
            }
            catch (PythonException)
            {
                // the pending interrupt, now spent
            }
            return;
        }
        if (py.Info.Version < new Version(3, 12))
        {
            throw new InvalidOperationException(
                "On CPython 3.11 an interrupt can only be cancelled on the thread it targets (cancelling it from another thread leaves that thread's eval breaker set): call ClearInterrupt there, while it is attached.");
        }
        _ = State.PyThreadState_SetAsyncExc(id, BorrowedRef.Null);
    }

    /// <summary>Destroys the thread state. Must run on the creating thread, while it is not attached.</summary>
    public void Dispose()
    {
        if (_threadState == 0)
        {
            return;
        }
        if (Environment.CurrentManagedThreadId != _managedThreadId)
        {
            throw new InvalidOperationException("A PythonThreadState must be disposed on the thread that created it.");
        }
        if (_attachment.Depth != 0)
        {
            throw new InvalidOperationException("Detach (dispose every attach scope) before disposing the thread state.");
        }
        var threadState = _threadState;
        _threadState = 0;
        ThreadId = 0;
        _attachment.OwnedThreadState = 0;
        if (!_runtime.TryEnter())
        {
            // Shutting down: Py_FinalizeEx deletes every thread state of the interpreter.
            return;
        }
        State.PyEval_RestoreThread(threadState);
        State.PyThreadState_Clear(threadState);
        State.PyThreadState_DeleteCurrent();
        _runtime.Exit();
    }

    internal nint Handle => _threadState;
}
