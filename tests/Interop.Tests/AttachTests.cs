namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class AttachTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Fact]
    public void Attach_Nested_WorksAndDetachesOnlyAtOutermost()
    {
        using (var outer = _runtime.Attach())
        {
            using (var inner = _runtime.Attach())
            {
                using var value = inner.Python.Eval("2 * 21");
                Assert.Equal(42, value.GetInt64());
            }
            // Still attached after the inner scope closed.
            using var again = outer.Python.Eval("1 + 1");
            Assert.Equal(2, again.GetInt64());
        }
        Assert.False(IsAttachedAccordingToPython());
    }

    [Fact]
    public void Attach_CallbackForm_ReturnsValue()
    {
        var value = _runtime.Attach(static py =>
        {
            using var result = py.Eval("'abc'.upper()");
            return result.GetString();
        });
        Assert.Equal("ABC", value);
    }

    [Fact]
    public void Detach_RunsWorkDetachedAndReattaches()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        var attachedInside = py.Detach(IsAttachedAccordingToPython);
        Assert.False(attachedInside);
        var nested = py.Detach(() => _runtime.Attach(static inner =>
        {
            using var v = inner.Eval("3 + 4");
            return v.GetInt64();
        }));
        Assert.Equal(7, nested);
        using var after = py.Eval("10");
        Assert.Equal(10, after.GetInt64());
    }

    [Fact]
    public void Detach_ActionOverload_AllocatesNothingOfItsOwn()
    {
        var calls = 0;
        Action work = () => calls++;
        using var scope = _runtime.Attach();
        var py = scope.Python;
        py.Detach(work); // first calls: statics, thread-local slots
        py.Detach(work);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            py.Detach(work);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(102, calls);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ThreadState_LongLivedThread_KeepsItsThreadIdentity()
    {
        ulong? first = null, second = null, ident = null;
        var thread = new Thread(() =>
        {
            using var state = _runtime.CreateThreadState();
            first = _runtime.Attach(static py => { using var v = py.Eval("__import__('threading').get_ident()"); return (ulong)v.GetInt64(); });
            second = _runtime.Attach(static py => { using var v = py.Eval("__import__('threading').get_ident()"); return (ulong)v.GetInt64(); });
            ident = state.ThreadId;
        }, 16 * 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.Equal(first, ident);
    }

    [Fact]
    public void Attach_ManyThreadsAtOnce_AllComputeCorrectly()
    {
        const int threads = 16, iterations = 200;
        var failures = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            // Half the threads own a thread state, half go through PyGILState.
            using var state = t % 2 == 0 ? _runtime.CreateThreadState() : null;
            for (var i = 0; i < iterations; i++)
            {
                var expected = (long)t * 1000 + i;
                var actual = _runtime.Attach(py =>
                {
                    using var a = py.Int(t * 1000);
                    using var b = py.Int(i);
                    using var code = py.Compile("a + b", "<sum>", CompileMode.Eval);
                    using var globals = py.NewGlobals();
                    globals.SetItem("a", a);
                    globals.SetItem("b", b);
                    using var result = py.Evaluate(code, globals);
                    return result.GetInt64();
                });
                if (actual != expected)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, 16 * 1024 * 1024)).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Equal(0, failures);
    }

    [Fact]
    public void FreeThreaded_TwoThreadsRunPythonAtTheSameTime()
    {
        // Two worker threads with their own thread states meet at a barrier and then spin in a pure-Python
        // loop for half a second; each iteration checks whether the other is inside the loop too. Overlap
        // proves both were running Python inside the region at once (on 3.13t truly in parallel, with the
        // GIL disabled; on a GIL build by interleaving at the switch interval). Not a timing assertion.
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var code = py.Compile(
            "import threading, time\n" +
            "barrier = threading.Barrier(2, timeout=30)\n" +
            "overlap = [0]\n" +
            "active = [0]\n" +
            "lock = threading.Lock()\n" +
            "def spin():\n" +
            "    barrier.wait()\n" +
            "    with lock: active[0] += 1\n" +
            // Ends as soon as the overlap is plain, or after a generous bound; a loaded machine may not schedule
            // the second thread for a while.
            "    end = time.monotonic() + 20\n" +
            "    while time.monotonic() < end and overlap[0] < 1000:\n" +
            "        if active[0] == 2: overlap[0] += 1\n" +
            "    with lock: active[0] -= 1\n",
            "<parallel>", CompileMode.Exec);
        using var globals = py.NewGlobals();
        py.Execute(code, globals);
        using var spin = globals.GetItem("spin");
        using var spinOwned = spin.ToOwned();

        var counters = new long[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            using var state = _runtime.CreateThreadState();
            _runtime.Attach(inner =>
            {
                using var f = spinOwned.Bind(inner);
                using var _ = f.Call();
            });
        }, 16 * 1024 * 1024)).ToList();
        py.Detach(() =>
        {
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        });
        using var overlap = globals.GetItem("overlap");
        using var first = overlap.GetItem(py.Int(0));
        var overlapping = first.GetInt64();
        // Both threads were inside the loop at once and kept executing bytecode there.
        Assert.True(overlapping > 0, $"threads never ran Python concurrently (overlap={overlapping})");
        if (py.Info.IsFreeThreaded)
        {
            Assert.False(_runtime.IsGilEnabled);
        }
    }

    [Fact]
    public void Attach_ThreadWithoutOwnState_CanAttachRepeatedly()
    {
        var results = new List<long>();
        var thread = new Thread(() =>
        {
            for (var i = 0; i < 5; i++)
            {
                results.Add(_runtime.Attach(py => { using var v = py.Int(i); return v.GetInt64(); }));
            }
        });
        thread.Start();
        thread.Join();
        Assert.Equal([0, 1, 2, 3, 4], results);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a PythonThreadState created after the first attach adopts the runtime's one
    public void Attach_ThreadWithoutOwnState_KeepsOneThreadStateAcrossAttaches(bool createThreadStateBetween)
    {
        // threading.local data lives in the thread state: a thread state per attach would lose it.
        using var local = _runtime.Attach(static py => { using var l = py.Eval("__import__('threading').local()"); return l.ToOwned(); });
        bool? kept = null;
        var thread = new Thread(() =>
        {
            _runtime.Attach(py => { using var l = local.Bind(py); using var v = py.Int(1); l.SetAttr("x", v); });
            using var state = createThreadStateBetween ? _runtime.CreateThreadState() : null;
            kept = _runtime.Attach(py => { using var l = local.Bind(py); return l.HasAttr("x"); });
        });
        thread.Start();
        thread.Join();
        Assert.True(kept);
    }

    [Fact]
    public void Attach_ThreadWithoutOwnState_ItsStateIsReleasedAfterTheThreadEnds()
    {
        using var probe = _runtime.Attach(static py =>
        {
            using var code = py.Compile(
                "import threading, weakref\nclass Probe: pass\nlocal = threading.local()\n" +
                "def store():\n    local.probe = Probe()\n    return weakref.ref(local.probe)\n", "<probe>", CompileMode.Exec);
            using var globals = py.NewGlobals();
            py.Execute(code, globals);
            using var store = globals.GetItem("store");
            return store.ToOwned();
        });
        PyOwned? weak = null;
        var first = new Thread(() => weak = _runtime.Attach(py => { using var f = probe.Bind(py); using var w = f.Call(); return w.ToOwned(); }));
        first.Start();
        first.Join();
        Assert.False(ProbeIsDead(weak!)); // the ended thread's state (and its threading.local data) is not released yet

        // The next thread state the runtime creates releases the ended thread's one.
        var second = new Thread(() => _runtime.Attach(static py => py.Int(0).Dispose()));
        second.Start();
        second.Join();
        Assert.True(ProbeIsDead(weak!));
        weak!.Dispose();
    }

    private bool ProbeIsDead(PyOwned weakRef) => _runtime.Attach(py =>
    {
        using var weak = weakRef.Bind(py);
        using var target = weak.Call();
        return target.IsNone;
    });

    // Not PyGILState_Check: it answers 1 unconditionally once a sub-interpreter exists (SubInterpreterTests make some).
    private bool IsAttachedAccordingToPython() => Interop.Native.State.CurrentThreadState() != 0;
}
