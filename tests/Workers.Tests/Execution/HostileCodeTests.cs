namespace Sidewinder.Workers.Tests.Execution;

/// <summary>Jobs that damage the worker or the process-wide Python state: every job still gets its answer, the worker
/// stays in the pool, and later jobs see the state as it was at start-up.</summary>
[Collection(PythonTests.Name)]
public sealed class HostileCodeTests(PoolFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static async Task<JobResult> RunAsync(WorkerPool pool, string code, TimeSpan? timeout = null) =>
        await pool.SubmitAsync(new RunJob(code) { Timeout = timeout ?? TimeSpan.FromSeconds(10) }).WaitAsync(Bound);

    [Fact]
    public async Task SubmitAsync_TraceFunctionAfterATimeout_Answers()
    {
        // 3.11: cancelling the first job's interrupt with PyThreadState_SetAsyncExc(id, NULL) left the eval breaker
        // set, and a trace function then made the next job spin for ever in the host's job-end code.
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        var runaway = await RunAsync(pool, "while True: pass", TimeSpan.FromMilliseconds(200));
        var traced = await RunAsync(pool, "import sys\nsys.settrace(lambda *a: None)\ndef g():\n    return 1\ng()");
        var profiled = await RunAsync(pool, "import sys\nsys.setprofile(lambda *a: None)\ndef g():\n    return 2\ng()");

        Assert.Equal(JobOutcome.Timeout, runaway.Outcome);
        Assert.Equal(1, traced.Value!.Value.GetInt32());
        Assert.Equal(2, profiled.Value!.Value.GetInt32());
        Assert.Equal(0, pool.Status.BusyWorkers);
    }

    [Fact]
    public async Task SubmitAsync_FinalizerOfAJobsObject_RunsInThatJobNotInALaterOne()
    {
        // A class defined by a job refers to the job's globals (through its methods), and the globals to the class: a
        // cycle, so the job's objects were freed by whichever later allocation ran the cyclic GC, and a finalizer ran
        // inside another client's job, printed into its output and spent its deadline.
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        var defining = await RunAsync(pool, "class A:\n    def __del__(self):\n        print('finalised')\na = A()\nprint('defined')");
        var later = await RunAsync(pool, "import gc\ngc.collect()\nprint('later')");

        Assert.Equal("defined\nfinalised\n", defining.Stdout);
        Assert.Equal("later\n", later.Stdout);
    }

    [Fact]
    public async Task SubmitAsync_TraceFunction_DoesNotOutliveItsJob()
    {
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        await RunAsync(pool, "import sys, threading\ndef t(*a):\n    print('TRACED')\n    return t\nsys.settrace(t)\nsys.setprofile(t)\nthreading.settrace(t)");

        var later = await RunAsync(pool, "import sys, threading\ndef g():\n    return 1\ng()\n(sys.gettrace(), sys.getprofile(), threading.gettrace())");

        Assert.DoesNotContain("TRACED", later.Stdout, StringComparison.Ordinal);
        Assert.Equal("[null,null,null]", later.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task SubmitAsync_BrokenBuiltinsAsLastLine_AnswersAndRestores()
    {
        // The host's job-end code used len() from the shared builtins: the job was lost and the worker died.
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        var breaking = await RunAsync(pool, "print('hi')\nimport builtins\nbuiltins.len = None\nbuiltins.print = None\nbuiltins.isinstance = None");
        var later = await RunAsync(pool, "print('still here')\nlen([1, 2, 3])");

        Assert.Equal(JobOutcome.Ok, breaking.Outcome);
        Assert.Equal("hi\n", breaking.Stdout);
        Assert.Equal(3, later.Value!.Value.GetInt32());
        Assert.Equal("still here\n", later.Stdout);
        Assert.Equal(1, pool.Status.Workers);
        Assert.Equal(0, pool.Status.BusyWorkers);
    }

    [Fact]
    public async Task SubmitAsync_BuiltinsAddedOrDeleted_AreRestored()
    {
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        await RunAsync(pool, "import builtins\nbuiltins.sidewinder_leak = 'secret'\ndel builtins.abs");

        var later = await RunAsync(pool, "import builtins\n(hasattr(builtins, 'sidewinder_leak'), abs(-2))");

        Assert.Equal("[false,2]", later.Value!.Value.GetRawText());
    }

    [Fact]
    public async Task SubmitAsync_HostModule_IsNotImportable()
    {
        var result = await RunAsync(fixture.Pool, "import sys\n[name for name in sys.modules if 'sidewinder_host' in name]");
        var import = await RunAsync(fixture.Pool, "import _sidewinder_host");

        Assert.Equal("[]", result.Value!.Value.GetRawText());
        Assert.Equal("ModuleNotFoundError", import.Error!.Type);
    }

    [Fact]
    public async Task SubmitAsync_ProcessWideStateChanged_IsRestoredForTheNextJob()
    {
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        var before = await RunAsync(pool, Probe);
        var damage = await RunAsync(pool, """
            import sys, os, logging, threading, tempfile
            sys.modules['json'] = None
            del sys.modules['base64']
            sys.path.clear()
            sys.setrecursionlimit(60)
            logging.disable(logging.CRITICAL)
            logging.getLogger().handlers.clear()
            logging.getLogger().setLevel(logging.CRITICAL)
            threading.excepthook = None
            sys.excepthook = None
            sys.displayhook = None
            sys.unraisablehook = None
            sys.stdin = None
            os.chdir(tempfile.gettempdir())
            """);
        var after = await RunAsync(pool, Probe);

        Assert.True(before.Value is not null, $"{before.Outcome} {before.ValueType} {before.Error?.Type} {before.Error?.Message} {before.Stdout}");
        Assert.True(before.Outcome == JobOutcome.Ok, before.Error?.Message);
        Assert.True(damage.Outcome == JobOutcome.Ok, damage.Error?.Message);
        Assert.True(after.Outcome == JobOutcome.Ok, $"{after.Error?.Type}: {after.Error?.Message}");
        Assert.Equal(before.Value!.Value.GetRawText(), after.Value!.Value.GetRawText());
    }

    // Everything the damage job changes, as seen by a job.
    private const string Probe = """
        import sys, os, logging, threading, json, base64
        [json.dumps([1]), base64.b64encode(b'x').decode(), len(sys.path), sys.getrecursionlimit(),
         logging.root.manager.disable, len(logging.getLogger().handlers), logging.getLogger().level,
         repr(threading.excepthook), repr(sys.excepthook), repr(sys.displayhook), repr(sys.unraisablehook),
         type(sys.stdin).__name__, os.getcwd()]
        """;

    [Fact]
    public async Task SubmitAsync_Input_FailsAtOnceWithEofError()
    {
        var result = await RunAsync(fixture.Pool, "input('name? ')");

        Assert.Equal("EOFError", result.Error!.Type);
    }

    [Fact]
    public async Task SubmitAsync_StdoutReplacedOrClosed_LaterJobsCaptureOutput()
    {
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 1);
        await RunAsync(pool, "import sys, io\nsys.stdout = io.StringIO()\nsys.__stdout__.close()\nsys.stderr.close()");

        var later = await RunAsync(pool, "import sys\nprint('out')\nprint('err', file=sys.stderr)");

        Assert.Equal("out\n", later.Stdout);
        Assert.Equal("err\n", later.Stderr);
    }
}
