namespace Sidewinder.Interop;

/// <summary>Taking a .NET lock from an attached thread (PyO3's <c>lock_py_attached</c>).</summary>
public static class LockExtensions
{
    /// <summary>Enters <paramref name="gate"/>; if it is taken, waits detached and re-attaches once it has it.</summary>
    /// <remarks>
    /// Waiting attached for a lock whose holder needs to run Python deadlocks on a GIL build (the holder cannot get the
    /// GIL back) and stalls every other thread's stop-the-world pause on a free-threaded build. Taking the lock first and
    /// attaching second is safe: the holder of the lock never waits for this thread. Dispose the scope to leave the lock.
    /// </remarks>
    public static AttachedLockScope EnterAttached(this Lock gate, Python py)
    {
#pragma warning disable CA1510 // ThrowIfNull(object) would box the Lock into a monitor-style object (CS9216).
        if (gate is null)
        {
            throw new ArgumentNullException(nameof(gate));
        }
#pragma warning restore CA1510
        if (!gate.TryEnter())
        {
            py.Detach(gate.Enter);
        }
        return new AttachedLockScope(gate);
    }
}

/// <summary>A held lock from <see cref="LockExtensions.EnterAttached"/>; dispose to leave it.</summary>
public ref struct AttachedLockScope
{
    private Lock? _gate;

    internal AttachedLockScope(Lock gate) => _gate = gate;

    /// <summary>Leaves the lock (once).</summary>
    public void Dispose()
    {
        var gate = _gate;
        _gate = null;
        gate?.Exit();
    }
}
