namespace Sidewinder.Interop.Tests;

/// <summary>Sub-interpreters (PEP 684): isolation, their own GIL, the interpreter-bound token, and ending them.
/// On 3.11 the only behaviour is a clear refusal, which is tested there.</summary>
[Collection(PythonTests.Name)]
public sealed class SubInterpreterTests(RuntimeFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly PythonRuntime _runtime = fixture.Runtime;

    private bool Supported => _runtime.Info.Version >= new Version(3, 12);

    [Fact]
    public void CreateInterpreter_On311_IsRefusedClearly()
    {
        if (Supported)
        {
            return;
        }
        var refused = Assert.Throws<NotSupportedException>(() => _runtime.CreateInterpreter());
        Assert.Contains("3.12", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SubInterpreter_HasItsOwnModulesAndBuiltins()
    {
        if (!Supported)
        {
            return;
        }
        using var sub = _runtime.CreateInterpreter();
        Assert.False(sub.IsMain);
        Assert.NotEqual(0, sub.Id);
        sub.Attach(py =>
        {
            Assert.Same(sub, py.CurrentInterpreter);
            Run(py, "import sys, builtins\nsys.sidewinder_marker = 1\nbuiltins.sidewinder_marker = 2");
        });
        _runtime.Attach(py =>
        {
            using var value = py.Eval("(hasattr(__import__('sys'), 'sidewinder_marker'), hasattr(__import__('builtins'), 'sidewinder_marker'))");
            Assert.Equal("(False, False)", value.Repr());
        });
        sub.Attach(py =>
        {
            using var value = py.Eval("(__import__('sys').sidewinder_marker, __import__('builtins').sidewinder_marker)");
            Assert.Equal("(1, 2)", value.Repr());
            using var id = py.Eval("__import__('_interpreters').get_current()");
            Assert.Contains(sub.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), id.Repr(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void OwnedObject_UsedUnderAnotherInterpretersToken_Throws()
    {
        if (!Supported)
        {
            return;
        }
        using var sub = _runtime.CreateInterpreter();
        var list = sub.Attach(py => py.Eval("[1, 2, 3]").ToOwned());
        var refused = _runtime.Attach(py => Catch<InvalidOperationException>(py, p => list.Bind(p).Dispose()));
        Assert.Contains("objects never cross interpreters", refused.Message, StringComparison.Ordinal);
        Assert.Same(sub, list.Interpreter);
        sub.Attach(py =>
        {
            using var bound = list.Bind(py);
            Assert.Equal("[1, 2, 3]", bound.Repr());
        });
        list.Dispose();
    }

    [Fact]
    public void Attach_ToAnotherInterpreterWhileAttached_Throws()
    {
        if (!Supported)
        {
            return;
        }
        using var sub = _runtime.CreateInterpreter();
        _runtime.Attach(_ => Assert.Throws<InvalidOperationException>(() => sub.Attach().Dispose()));
        sub.Attach(_ =>
        {
            Assert.Throws<InvalidOperationException>(() => _runtime.Attach().Dispose());
            using var nested = sub.Attach(); // the same interpreter nests
        });
        _runtime.Attach(py => py.Eval("1").Dispose()); // and the thread is still usable afterwards
    }

    [Fact]
    public void TwoSubInterpretersWithTheirOwnGil_RunPythonAtTheSameTime()
    {
        // Each thread's Python code calls into .NET and waits there, still attached (holding its interpreter's GIL), for the
        // other thread to arrive. With one shared GIL the second thread could never run Python to arrive: the barrier times out.
        if (!Supported)
        {
            return;
        }
        using var barrier = new Barrier(2);
        // Both interpreters exist before either thread blocks while attached: on a free-threaded build, creating an
        // interpreter stops the whole runtime's world, which would wait for the blocked thread to detach.
        using var created = new CountdownEvent(2);
        var arrived = new bool[2];
        var threads = new Thread[2];
        var failures = new Exception?[2];
        for (var i = 0; i < 2; i++)
        {
            var index = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    using var sub = _runtime.CreateInterpreter();
                    created.Signal();
                    created.Wait(Patience);
                    sub.Attach(py =>
                    {
                        using var arrive = py.NewFunction("arrive", (py2, _) =>
                        {
                            arrived[index] = barrier.SignalAndWait(Patience);
                            return py2.None;
                        });
                        using var globals = py.NewGlobals();
                        globals.SetItem("arrive", arrive);
                        Run(py, "total = sum(i * i for i in range(10_000))\narrive()", globals);
                    });
                }
#pragma warning disable CA1031 // reported by the test thread
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures[index] = ex;
                }
            });
            threads[i].Start();
        }
        foreach (var thread in threads)
        {
            Assert.True(thread.Join(Patience * 2));
        }
        Assert.Null(failures[0]);
        Assert.Null(failures[1]);
        Assert.Equal([true, true], arrived);
    }

    [Fact]
    public void End_ThenAttach_Throws_AndAHandleOfItIsDroppedSafely()
    {
        if (!Supported)
        {
            return;
        }
        var sub = _runtime.CreateInterpreter();
        var value = sub.Attach(py => py.Eval("object()").ToOwned());
        Assert.True(sub.End(Patience));
        Assert.False(sub.IsAlive);
        Assert.DoesNotContain(sub, _runtime.SubInterpreters);
        Assert.Throws<ObjectDisposedException>(() => sub.Attach().Dispose());
        value.Dispose(); // the object went with its interpreter: nothing is queued, nothing crashes
        Assert.Equal(0, sub.PendingDecrefs);
        Assert.True(sub.End(Patience)); // ending twice is fine
    }

    [Fact]
    public void End_WhileAThreadItsCodeStartedRuns_RefusesAndLaterSucceeds()
    {
        if (!Supported)
        {
            return;
        }
        var sub = _runtime.CreateInterpreter();
        using var globals = sub.Attach(py =>
        {
            var g = py.NewGlobals();
            Run(py, "import threading\nrelease = threading.Event()\nworker = threading.Thread(target=release.wait)\nworker.start()", g);
            return g.ToOwned();
        });
        Assert.False(sub.End(TimeSpan.FromMilliseconds(100))); // Py_EndInterpreter would wait for the thread without bound
        Assert.True(sub.IsAlive);
        sub.Attach(py =>
        {
            using var g = globals.Bind(py);
            Run(py, "release.set()\nworker.join()", g);
        });
        Assert.True(sub.End(Patience));
    }

    [Fact]
    public void End_WhileAnotherThreadIsAttached_WaitsForItOrRefuses()
    {
        if (!Supported)
        {
            return;
        }
        var sub = _runtime.CreateInterpreter();
        using var entered = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var holder = new Thread(() => sub.Attach(py =>
        {
            entered.Set();
            py.Detach(() => leave.Wait(Patience));
        }));
        holder.Start();
        Assert.True(entered.Wait(Patience));
        Assert.False(sub.End(TimeSpan.FromMilliseconds(50)));
        leave.Set();
        Assert.True(holder.Join(Patience));
        Assert.True(sub.End(Patience)); // the holder's thread state is deleted by this thread
    }

    [Fact]
    public void DeferredDecref_IsKeptPerInterpreter_AndDrainedUnderIt()
    {
        if (!Supported)
        {
            return;
        }
        using var sub = _runtime.CreateInterpreter();
        var value = sub.Attach(py => py.Eval("[object() for _ in range(3)]").ToOwned());
        var mainBefore = _runtime.PendingDecrefs;
        value.Dispose(); // not attached: queued for the sub-interpreter, never for the main one
        Assert.Equal(1, sub.PendingDecrefs);
        Assert.Equal(mainBefore, _runtime.PendingDecrefs);
        _runtime.Attach(py => py.Eval("1").Dispose());
        Assert.Equal(1, sub.PendingDecrefs); // attaching to main does not touch it
        sub.Attach(py => py.Eval("1").Dispose());
        Assert.Equal(0, sub.PendingDecrefs);
    }

    [Fact]
    public void JsonConversion_OfLibraryTypes_UsesEachInterpretersOwnTypes()
    {
        // The writer caches library types (datetime.date here) by identity; a cache shared with the main interpreter
        // would not recognise the sub-interpreter's own datetime.date.
        if (!Supported)
        {
            return;
        }
        var inMain = _runtime.Attach(py => py.Eval("__import__('datetime').date(2020, 1, 2)").ToJson());
        using var sub = _runtime.CreateInterpreter();
        var inSub = sub.Attach(py => py.Eval("__import__('datetime').date(2020, 1, 2)").ToJson());
        Assert.Equal("\"2020-01-02\"", inMain);
        Assert.Equal(inMain, inSub);
    }

    [Fact]
    public void SinglePhaseInitExtension_IsRefusedWithAnImportError()
    {
        if (!Supported)
        {
            return;
        }
        var present = _runtime.Attach(py => py.Eval("__import__('importlib.util').util.find_spec('_testsinglephase') is not None").IsTrue());
        if (!present)
        {
            return; // a build without CPython's test modules (Debian's 3.11 is not supported here anyway)
        }
        using var sub = _runtime.CreateInterpreter();
        var error = sub.Attach(py => Catch<PythonException>(py, p => p.Eval("__import__('_testsinglephase')").Dispose()));
        Assert.Equal("ImportError", error.PythonType);
        Assert.Contains("subinterpreters", error.Message, StringComparison.Ordinal);
        sub.Attach(py => py.Eval("1").Dispose()); // and the interpreter is fine afterwards
    }

    [Fact]
    public void Exec_IsRefusedByDefault_AndSubprocessRunsWithAllowExec()
    {
        if (!Supported)
        {
            return;
        }
        const string Source = "import subprocess\nresult = subprocess.run(['true']).returncode";
        using (var isolated = _runtime.CreateInterpreter())
        {
            // Not a sandbox: CPython checks the flag in os.exec* and subprocess's fork-exec path, not in os.posix_spawn.
            var error = isolated.Attach(py => Catch<PythonException>(py, p => Run(p, "import os\nos.execv('/bin/true', ['true'])")));
            Assert.Equal("RuntimeError", error.PythonType);
        }
        using var allowed = _runtime.CreateInterpreter(new InterpreterOptions { AllowExec = true });
        allowed.Attach(py =>
        {
            using var globals = py.NewGlobals();
            Run(py, Source, globals);
            using var result = globals.GetItem("result");
            Assert.Equal(0, result.GetInt64());
        });
    }

    private static T Catch<T>(Python py, PythonAction action) where T : Exception
    {
        try
        {
            action(py);
        }
        catch (T expected)
        {
            return expected;
        }
        throw new Xunit.Sdk.XunitException($"{typeof(T).Name} was not thrown.");
    }

    private static void Run(Python py, string source, PyBound globals = default)
    {
        using var fresh = globals.IsNull ? py.NewGlobals() : default;
        using var code = py.Compile(source, "<test>", CompileMode.Exec);
        py.Execute(code, globals.IsNull ? fresh : globals);
    }
}
