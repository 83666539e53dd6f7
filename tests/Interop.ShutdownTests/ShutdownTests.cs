namespace Sidewinder.Interop.ShutdownTests;

/// <summary>Shutdown finalises the interpreter, so it lives in its own test assembly (its own process):
/// CPython cannot be initialised again afterwards.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public void Shutdown_WaitsForBusyThreadThenFinalizesOnOwnerThread()
    {
        var runtime = PythonRuntime.Start(new PythonRuntimeOptions { ShutdownTimeout = TimeSpan.FromSeconds(3) });
        // 3.12+: a sub-interpreter left alive (with an object of its own still referenced) is ended before finalisation.
        var sub = runtime.Info.Version >= new Version(3, 12) ? runtime.CreateInterpreter() : null;
        var subObject = sub?.Attach(static py => py.Eval("[1, 2]").ToOwned());
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            using var state = runtime.CreateThreadState();
            using var scope = runtime.Attach();
            inside.Set();
            // Blocked host work inside an attach scope: still counts as "inside Python".
            scope.Python.Detach(() => release.Wait());
        });
        worker.Start();
        inside.Wait();

        // A thread is inside an attach scope: finalisation is refused within the timeout...
        Assert.False(runtime.Shutdown());
        Assert.False(runtime.IsRunning);
        Assert.Null(runtime.FinalizeStatus);
        // ...and no new thread may attach meanwhile.
        var attachError = Assert.Throws<ObjectDisposedException>(() => runtime.Attach(static _ => 0));
        Assert.Contains("shutting down", attachError.Message, StringComparison.Ordinal);

        release.Set();
        worker.Join();
        Assert.True(runtime.Shutdown());
        Assert.Equal(0, runtime.FinalizeStatus);
        Assert.True(runtime.Shutdown()); // idempotent
        if (sub is not null)
        {
            Assert.False(sub.IsAlive);
            Assert.Empty(runtime.SubInterpreters);
            subObject!.Dispose(); // its interpreter is gone: dropped, not queued
        }
    }
}
