namespace Sidewinder.Interop;

/// <summary>Per-thread attach bookkeeping: the thread's thread state (if any) and the nesting depth.</summary>
/// <remarks>
/// Only the owning thread reads or writes an instance while the thread runs (the runtime reads it once more
/// after the thread has ended, to release an implicit thread state), so no synchronisation is needed. The
/// slot is thread-static because attachment is a property of the OS thread, exactly as CPython's own
/// thread-state TLS is; it is private to Interop and holds no interpreter state of its own: the thread
/// state it points to belongs either to a <see cref="PythonThreadState"/> or to the runtime's
/// <see cref="ImplicitThreadStates"/>.
/// </remarks>
internal sealed class ThreadAttachment
{
    [ThreadStatic]
    private static ThreadAttachment? t_current;

    public static ThreadAttachment Current => t_current ??= new ThreadAttachment();

    public static bool IsCurrentThreadAttached => t_current is { Depth: > 0 };

    /// <summary>The thread state this thread attaches with (<c>PyEval_RestoreThread</c>); 0 if none yet.</summary>
    public nint OwnedThreadState;

    /// <summary>True when <see cref="OwnedThreadState"/> was created by the runtime on this thread's first attach
    /// (no <see cref="PythonThreadState"/>); the runtime then owns it and releases it after the thread ends.</summary>
    public bool IsImplicit;

    /// <summary>Number of open attach scopes on this thread; the outermost one does the real attach.</summary>
    public int Depth;

    /// <summary>PyGILState_STATE from the outermost attach of a thread whose thread state belongs to someone
    /// else (a thread Python created, calling back into .NET); -1 otherwise.</summary>
    public int GilState = -1;
}
