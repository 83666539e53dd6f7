namespace Sidewinder.Interop.Tests.Sync;

[Collection(PythonTests.Name)]
public sealed class SyncTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    private delegate void Holder(Python py, Action started);

    /// <summary>Thread A holds the gate while running Python that releases the GIL (time.sleep); thread B, attached, asks
    /// for the gate meanwhile. Waiting attached would deadlock a GIL build; both threads must finish.</summary>
    private static void RaceWithPythonInside(PythonRuntime runtime, Holder holder, PythonAction waiter)
    {
        using var started = new ManualResetEventSlim();
        Exception? failure = null;
        var a = new Thread(() => Catch(() => runtime.Attach(py => holder(py, started.Set))));
        var b = new Thread(() => Catch(() =>
        {
            started.Wait();
            runtime.Attach(waiter);
        }));
        a.Start();
        b.Start();
        Assert.True(a.Join(TimeSpan.FromSeconds(30)) & b.Join(TimeSpan.FromSeconds(30)), "deadlock: a thread waited for the gate while attached");
        Assert.Null(failure);

        void Catch(Action action)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }
    }

    [Fact]
    public void PyOnceCell_SecondThreadWaitsWhileInitialiserRunsPython_NoDeadlockAndOneInitialisation()
    {
        var cell = new PyOnceCell<long>();
        var runs = 0;
        long seenByWaiter = 0;
        RaceWithPythonInside(_runtime,
            (py, started) => cell.GetOrInit(py, p =>
            {
                Interlocked.Increment(ref runs);
                started();
                using var slept = p.Eval("__import__('time').sleep(0.3) or 41 + 1");
                return slept.GetInt64();
            }),
            py => seenByWaiter = cell.GetOrInit(py, _ =>
            {
                Interlocked.Increment(ref runs);
                return -1;
            }));
        Assert.Equal(42, seenByWaiter);
        Assert.Equal(1, runs);
        Assert.True(cell.IsInitialized);
    }

    [Fact]
    public void PyOnceCell_InitialiserThrows_LeavesTheCellEmpty_AndRecursionIsRefused()
    {
        var cell = new PyOnceCell<string>();
        Assert.Throws<PythonException>(() => _runtime.Attach(py => cell.GetOrInit(py, p =>
        {
            using var bad = p.Eval("1 / 0");
            return "never";
        })));
        Assert.False(cell.IsInitialized);
        Assert.Equal("ok", _runtime.Attach(py => cell.GetOrInit(py, _ => "ok")));

        var recursive = new PyOnceCell<int>();
        Assert.Throws<InvalidOperationException>(() => _runtime.Attach(py => recursive.GetOrInit(py, p => recursive.GetOrInit(p, _ => 1))));
    }

    [Fact]
    public void EnterAttached_LockHeldByAThreadRunningPython_WaiterDetaches()
    {
        var gate = new Lock();
        var order = new List<string>();
        RaceWithPythonInside(_runtime,
            (py, started) =>
            {
                using var held = gate.EnterAttached(py);
                started();
                using var slept = py.Eval("__import__('time').sleep(0.3)");
                order.Add("holder");
            },
            py =>
            {
                using var held = gate.EnterAttached(py);
                order.Add("waiter");
            });
        Assert.Equal(["holder", "waiter"], order);
    }
}
