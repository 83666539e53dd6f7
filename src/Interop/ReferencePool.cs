using System.Collections.Concurrent;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Decrefs requested by threads that are not attached (finalizers, disposal on a detached thread).</summary>
/// <remarks>
/// Nothing here calls Python when enqueuing. The queue is drained by the next thread that attaches,
/// so a finalizer thread never touches the interpreter. On a free-threaded build any attached thread
/// may perform the decref; on a GIL build the GIL is held during the drain.
/// </remarks>
internal sealed class ReferencePool
{
    private readonly ConcurrentQueue<NewRef> _pending = new();
    private int _count;

    public bool HasPending => Volatile.Read(ref _count) != 0;

    public int PendingCount => Volatile.Read(ref _count);

    public void Enqueue(NewRef reference)
    {
        _pending.Enqueue(reference);
        Interlocked.Increment(ref _count);
    }

    /// <summary>Releases everything queued so far. The caller must be attached.</summary>
    public void Drain()
    {
        while (_pending.TryDequeue(out var reference))
        {
            Interlocked.Decrement(ref _count);
            reference.Release();
        }
    }
}
