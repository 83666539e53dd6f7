using System.Runtime.CompilerServices;

namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class HandleTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Fact]
    public void PyOwned_Finalized_DecrefIsDeferredUntilNextAttach()
    {
        PyOwned probeRef;
        using (var scope = _runtime.Attach())
        {
            var py = scope.Python;
            using var code = py.Compile(
                "import weakref\nclass Probe: pass\nprobe = Probe()\nref = weakref.ref(probe)\n", "<probe>", CompileMode.Exec);
            using var globals = py.NewGlobals();
            py.Execute(code, globals);
            using var weak = globals.GetItem("ref");
            probeRef = weak.ToOwned();
            AbandonOwnedReference(py, globals);
            // The globals dict still holds `probe`; drop it so our PyOwned is the only reference.
            globals.SetItem("probe", py.None);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        // The finalizer ran on the finalizer thread, which is never attached: nothing was released yet...
        Assert.True(_runtime.PendingDecrefs > 0 || ProbeIsDead(probeRef), "the finalizer neither queued nor released the reference");

        // ...and the next attach drains the queue, freeing the object.
        using (var scope = _runtime.Attach())
        {
            Assert.True(ProbeIsDead(probeRef, scope.Python));
        }
        probeRef.Dispose();
    }

    // A separate non-inlined frame so the PyOwned is unreachable when the GC runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonOwnedReference(Python py, PyBound globals)
    {
        using var probe = globals.GetItem("probe");
        _ = probe.ToOwned();
        _ = py;
    }

    private bool ProbeIsDead(PyOwned weakRef) => _runtime.Attach(py => ProbeIsDead(weakRef, py));

    private static bool ProbeIsDead(PyOwned weakRef, Python py)
    {
        using var weak = weakRef.Bind(py);
        using var target = weak.Call();
        return target.IsNone;
    }

    [Fact]
    public void PyOwned_DisposedOnDetachedThread_IsQueuedThenReleased()
    {
        PyOwned owned, weakRef;
        using (var scope = _runtime.Attach())
        {
            var py = scope.Python;
            using var value = py.Eval("type('P', (), {})()");
            using var weakref = py.Import("weakref");
            using var factory = weakref.GetAttr("ref");
            using var weak = factory.Call(value);
            weakRef = weak.ToOwned();
            owned = value.ToOwned();
        }
        var before = _runtime.PendingDecrefs;
        owned.Dispose(); // not attached here
        Assert.False(owned.IsAlive);
        Assert.True(_runtime.PendingDecrefs >= before + 1 || ProbeIsDead(weakRef));
        Assert.True(ProbeIsDead(weakRef)); // the attach inside ProbeIsDead drained the queue
        weakRef.Dispose();
    }

    [Fact]
    public void PyOwned_BindAfterDispose_Throws()
    {
        PyOwned owned;
        using (var scope = _runtime.Attach())
        {
            using var value = scope.Python.Int(5);
            owned = value.ToOwned();
        }
        owned.Dispose();
        using var again = _runtime.Attach();
        Assert.Throws<ObjectDisposedException>(() => _runtime.Attach(py => owned.Bind(py).Dispose()));
    }

    [Fact]
    public void PyOwned_UsableFromAnotherThread()
    {
        PyOwned owned;
        using (var scope = _runtime.Attach())
        {
            using var list = scope.Python.Eval("[1, 2, 3]");
            owned = list.ToOwned();
        }
        long length = 0;
        var thread = new Thread(() => length = _runtime.Attach(py =>
        {
            using var list = owned.Bind(py);
            return list.Length();
        }));
        thread.Start();
        thread.Join();
        Assert.Equal(3, length);
        owned.Dispose();
    }
}
