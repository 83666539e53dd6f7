using System.Runtime.CompilerServices;

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

    // The fast path is small enough to inline into every attach; a profile of AttachDetachBenchmarks showed the
    // `??=` form as a call of its own (about a fifth of the managed time of an attach + detach).
    public static ThreadAttachment Current => t_current ?? CreateCurrent();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadAttachment CreateCurrent() => t_current = new ThreadAttachment();

    public static bool IsCurrentThreadAttached => t_current is { Depth: > 0 };

    /// <summary>Whether the calling thread is attached to <paramref name="interpreter"/> now.</summary>
    public static bool IsAttachedTo(PythonInterpreter interpreter) => t_current is { Depth: > 0 } current && current.Interpreter == interpreter;

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

    /// <summary>The interpreter the thread is attached to while <see cref="Depth"/> &gt; 0 (null: not attached).</summary>
    public PythonInterpreter? Interpreter;

    // The thread's states in sub-interpreters (the main interpreter's is OwnedThreadState); usually none or one.
    private (PythonInterpreter Interpreter, nint ThreadState)[]? _subStates;

    /// <summary>This thread's state in sub-interpreter <paramref name="interpreter"/>, or 0.</summary>
    public nint ThreadStateIn(PythonInterpreter interpreter)
    {
        if (_subStates is { } states)
        {
            foreach (var (owner, state) in states)
            {
                if (owner == interpreter)
                {
                    return state;
                }
            }
        }
        return 0;
    }

    // Written by the owning thread (attach) and by a thread ending the interpreter (while no thread is attached to it):
    // the array is replaced, never changed in place, so a reader sees an old or a new one, both valid.
    public void AddThreadState(PythonInterpreter interpreter, nint threadState) =>
        _subStates = [.. _subStates ?? [], (interpreter, threadState)];

    public void RemoveThreadState(PythonInterpreter interpreter) =>
        _subStates = _subStates is null ? null : Array.FindAll(_subStates, e => e.Interpreter != interpreter);
}
