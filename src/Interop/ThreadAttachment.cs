namespace Sidewinder.Interop;

/// <summary>Per-thread attach bookkeeping: the thread's own thread state (if any) and the nesting depth.</summary>
/// <remarks>
/// Only the owning thread reads or writes an instance, so no synchronisation is needed. The slot is
/// thread-static because attachment is a property of the OS thread, exactly as CPython's own
/// thread-state TLS is; it is private to Interop and holds no interpreter state of its own.
/// </remarks>
internal sealed class ThreadAttachment
{
    [ThreadStatic]
    private static ThreadAttachment? t_current;

    public static ThreadAttachment Current => t_current ??= new ThreadAttachment();

    public static bool IsCurrentThreadAttached => t_current is { Depth: > 0 };

    /// <summary>A long-lived thread state created on this thread by <see cref="PythonThreadState"/>; 0 if none.</summary>
    public nint OwnedThreadState;

    /// <summary>Number of open attach scopes on this thread; the outermost one does the real attach.</summary>
    public int Depth;

    /// <summary>PyGILState_STATE from the outermost attach of a thread without its own thread state; -1 otherwise.</summary>
    public int GilState = -1;
}
