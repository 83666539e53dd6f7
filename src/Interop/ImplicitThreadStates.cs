using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>The thread states the runtime creates for threads that attach without a <see cref="PythonThreadState"/>:
/// one per thread, kept for the thread's life.</summary>
/// <remarks>
/// <para>
/// Why not <c>PyGILState_Ensure</c>/<c>Release</c> per attach: that creates and destroys a thread state every time.
/// On free-threaded 3.13 each destroyed thread state abandons its mimalloc segments that still hold live objects to
/// the interpreter's shared pool, and every new thread state's heap then walks that pool trying to reclaim them
/// (<c>mi_abandoned_pop</c>, <c>mi_segment_check_free</c> dominate a profile), so once such a thread has run Python an
/// attach cost hundreds of microseconds instead of a few (docs/performance.md). It also loses
/// <c>threading.local</c> data between attaches and shows extensions that cache thread states a new one each time.
/// </para>
/// <para>
/// Release: a thread's state is deleted once the thread has ended, by the next thread that creates one here
/// (attached, so the deletion may run Python finalizers, outside the lock); the rest are deleted by
/// <c>Py_FinalizeEx</c>, which deletes every thread state of the interpreter. Nothing is released from a
/// finalizer. A thread that ended inside an attach scope (it never disposed it) keeps its state: deleting an
/// attached thread state is not allowed.
/// </para>
/// </remarks>
internal sealed class ImplicitThreadStates
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    private readonly record struct Entry(Thread Thread, ThreadAttachment Attachment, nint ThreadState);

    /// <summary>Number of implicit thread states not yet released (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Creates the calling thread's thread state and attaches with it. The caller is counted as inside
    /// Python (<see cref="PythonRuntime.TryEnter"/>) and is not attached yet.</summary>
    public void CreateAndAttach(ThreadAttachment attachment, nint interpreter)
    {
        // Created while detached, so CPython also binds it as this thread's PyGILState thread state.
        var threadState = State.PyThreadState_New(interpreter);
        if (threadState == 0)
        {
            throw new InvalidOperationException("PyThreadState_New failed (out of memory).");
        }
        State.PyEval_RestoreThread(threadState);
        attachment.OwnedThreadState = threadState;
        attachment.IsImplicit = true;
        List<nint>? ended;
        lock (_gate)
        {
            ended = RemoveEnded();
            _entries.Add(new Entry(Thread.CurrentThread, attachment, threadState));
        }
        if (ended is not null)
        {
            foreach (var state in ended)
            {
                // Another thread's (ended) state: PyThreadState_Clear and _Delete accept a non-current state
                // while the caller is attached, as Py_FinalizeEx does for every thread.
                State.PyThreadState_Clear(state);
                State.PyThreadState_Delete(state);
            }
        }
    }

    /// <summary>Hands the calling thread's implicit state over to a <see cref="PythonThreadState"/>, which then owns it.</summary>
    public void Adopt(ThreadAttachment attachment)
    {
        lock (_gate)
        {
            _entries.RemoveAll(e => e.Attachment == attachment);
        }
        attachment.IsImplicit = false;
    }

    /// <summary>Forgets every entry once <c>Py_FinalizeEx</c> has deleted their thread states.</summary>
    public void Finalized()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    private List<nint>? RemoveEnded()
    {
        List<nint>? ended = null;
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            var entry = _entries[i];
            if (!entry.Thread.IsAlive && entry.Attachment.Depth == 0)
            {
                (ended ??= []).Add(entry.ThreadState);
                _entries.RemoveAt(i);
            }
        }
        return ended;
    }
}
