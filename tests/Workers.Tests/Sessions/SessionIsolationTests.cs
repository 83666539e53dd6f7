using Sidewinder.Tests;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Workers.Tests.Sessions;

/// <summary>A session created with <see cref="WorkerIsolation.Interpreter"/>: a sub-interpreter of its own (CPython 3.12+),
/// whichever worker runs its job.</summary>
[Collection(PythonTests.Name)]
public sealed class SessionIsolationTests(PoolFixture fixture)
{
    private const string CurrentInterpreter = "__import__('_interpreters').get_current()[0]";

    private bool Supported => fixture.Runtime.Info.Version >= new Version(3, 12);

    private SessionStore Store(WorkerPool? pool = null) =>
        new(pool ?? fixture.Pool, new PythonSessionOptions { ReaperInterval = TimeSpan.FromMinutes(10) }, fixture.LoggerFactory);

    [Fact]
    public async Task Create_InterpreterIsolationOn311_IsRefusedNamingTheRuntime()
    {
        if (Supported)
        {
            return;
        }
        using var store = Store();
        var created = await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter);

        Assert.Null(created.Session);
        Assert.Equal(SessionCreateFailure.IsolationUnavailable, created.Failure);
        Assert.Contains("3.12", created.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
        Assert.False(store.SupportsInterpreterIsolation);
    }

    [Fact]
    public async Task IsolatedSession_RunsInOneSubInterpreterOfItsOwn_WithItsOwnModules()
    {
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 2);
        using var store = Store(pool);
        var isolated = (await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter)).Session!;
        var shared = (await store.CreateAsync("owner")).Session!;

        // Made at creation, before any request of the caller's.
        var made = Assert.Single(fixture.Runtime.SubInterpreters, i => i.Id == isolated.Context?.Interpreter.Id);
        Assert.Equal(WorkerIsolation.Interpreter, isolated.Isolation);
        // A module changed in the session is another module object than the main interpreter's.
        await store.SubmitAsync(isolated, new RunJob("import json\njson.session_mark = 1\nn = 1"));
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => store.SubmitAsync(isolated, new RunJob("n += 1\n" + CurrentInterpreter))));
        var count = await store.SubmitAsync(isolated, new EvalJob("(n, __import__('json').session_mark)"));
        var mainSees = await pool.SubmitAsync(new EvalJob("hasattr(__import__('json'), 'session_mark')"));
        var sharedSees = await store.SubmitAsync(shared, new EvalJob("(" + CurrentInterpreter + ", hasattr(__import__('json'), 'session_mark'))"));

        Assert.All(ids, r => Assert.Equal(made.Id, r.Value!.Value.GetInt64())); // any worker, the session's interpreter
        Assert.Equal("[7,1]", count.Value!.Value.GetRawText());
        Assert.False(mainSees.Value!.Value.GetBoolean());
        Assert.Equal("[0,false]", sharedSees.Value!.Value.GetRawText());
    }

    [Theory]
    [InlineData(WorkerIsolation.Interpreter)]
    [InlineData(WorkerIsolation.Shared)]
    public async Task SessionJobStuckInC_LaterJobsAreRefusedAtOnceWithoutTakingAWorker_UntilTheCallReturns(WorkerIsolation isolation)
    {
        // A job abandoned in C still holds its session (and an isolated session's GIL): a later job of that session sent
        // to another worker would wait for that GIL past its own deadline and get that worker quarantined as well.
        if (isolation == WorkerIsolation.Interpreter && !Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o =>
        {
            o.WorkerCount = 2;
            o.InterruptGracePeriod = TimeSpan.FromMilliseconds(200);
        });
        using var store = Store(pool);
        var session = (await store.CreateAsync("owner", isolation: isolation)).Session!;
        await store.SubmitAsync(session, new RunJob("kept = 42"));

        var stuck = await store.SubmitAsync(session, new RunJob("import ctypes\nctypes.PyDLL(None).sleep(3)") { Timeout = TimeSpan.FromMilliseconds(300) });
        var refused = await store.SubmitAsync(session, new EvalJob("kept") { Timeout = TimeSpan.FromSeconds(1) });
        var quarantined = pool.Status.QuarantinedWorkers;
        await Wait.UntilAsync(() => pool.Status.QuarantinedWorkers == 0, "the stuck call to return", 30);
        var after = await store.SubmitAsync(session, new EvalJob("kept"));

        Assert.Equal(JobOutcome.Timeout, stuck.Outcome);
        Assert.Equal(JobOutcome.Rejected, refused.Outcome);
        Assert.Equal(JobErrorTypes.SessionBusy, refused.Error!.Type);
        Assert.Contains("stuck in native code", refused.Error.Message, StringComparison.Ordinal);
        Assert.Equal(1, quarantined); // only the worker of the stuck job
        Assert.Equal(JobOutcome.Ok, after.Outcome);
        Assert.Equal(42, after.Value!.Value.GetInt32()); // the session kept its state
    }

    [Fact]
    public async Task IsolatedSession_DeletedWhileItsJobIsStuckInC_LosesItsFilesAtOnce_AndItsInterpreterWhenTheCallReturns()
    {
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o => o.InterruptGracePeriod = TimeSpan.FromMilliseconds(200));
        using var store = Store(pool);
        var session = (await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter)).Session!;
        var id = (await store.SubmitAsync(session, new EvalJob(CurrentInterpreter))).Value!.Value.GetInt64();
        var stuck = await store.SubmitAsync(session, new RunJob("import ctypes\nctypes.PyDLL(None).sleep(2)") { Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.True(store.Delete(session.Id, "owner"));
        var filesGone = !Directory.Exists(session.Files.Directory);
        var interpreterKept = fixture.Runtime.SubInterpreters.Any(i => i.Id == id);

        Assert.Equal(JobOutcome.Timeout, stuck.Outcome);
        Assert.True(filesGone);
        Assert.True(interpreterKept); // its GIL is still held by the stuck call: nobody else may end it now
        await Wait.UntilAsync(() => fixture.Runtime.SubInterpreters.All(i => i.Id != id), "the interpreter to end after the call returned", 30);
        Assert.Equal(JobOutcome.Ok, (await pool.SubmitAsync(new EvalJob("1"))).Outcome);
    }

    [Fact]
    public async Task IsolatedSession_Delete_EndsItsInterpreter()
    {
        if (!Supported)
        {
            return;
        }
        using var store = Store();
        var session = (await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter)).Session!;
        var id = (await store.SubmitAsync(session, new EvalJob(CurrentInterpreter))).Value!.Value.GetInt64();
        Assert.Contains(fixture.Runtime.SubInterpreters, i => i.Id == id);

        Assert.True(store.Delete(session.Id, "owner"));

        await Wait.UntilAsync(() => fixture.Runtime.SubInterpreters.All(i => i.Id != id), "the session's interpreter to end");
        Assert.Null(session.Context);
        Assert.Equal(JobOutcome.Ok, (await fixture.Pool.SubmitAsync(new EvalJob("1"))).Outcome);
    }

    [Fact]
    public async Task IsolatedSession_RunawayCell_IsInterruptedAndTheSessionKeepsItsState()
    {
        if (!Supported)
        {
            return;
        }
        using var store = Store();
        var session = (await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter)).Session!;
        await store.SubmitAsync(session, new RunJob("kept = 41"));

        var runaway = await store.SubmitAsync(session, new RunJob("while True:\n    pass") { Timeout = TimeSpan.FromMilliseconds(500) });
        var after = await store.SubmitAsync(session, new EvalJob("kept + 1"));

        Assert.Equal(JobOutcome.Timeout, runaway.Outcome);
        Assert.Equal(42, after.Value!.Value.GetInt32());
    }

    [Fact]
    public async Task IsolatedSession_InAPoolOfIsolatedWorkers_HasItsOwnInterpreterAndASharedOneTheMain()
    {
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o => o.Isolation = WorkerIsolation.Interpreter);
        using var store = Store(pool);
        var isolated = (await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter)).Session!;
        var shared = (await store.CreateAsync("owner")).Session!;

        var worker = (await pool.SubmitAsync(new EvalJob(CurrentInterpreter))).Value!.Value.GetInt64();
        var own = (await store.SubmitAsync(isolated, new EvalJob(CurrentInterpreter))).Value!.Value.GetInt64();
        var main = (await store.SubmitAsync(shared, new EvalJob(CurrentInterpreter))).Value!.Value.GetInt64();

        Assert.NotEqual(0, worker);
        Assert.NotEqual(0, own);
        Assert.NotEqual(worker, own);
        Assert.Equal(0, main);
    }

    [Fact]
    public async Task IsolatedSession_SinglePhaseExtension_NamesTheSessionsIsolation()
    {
        if (!Supported)
        {
            return;
        }
        var present = await fixture.Pool.SubmitAsync(new EvalJob("__import__('importlib.util').util.find_spec('_testsinglephase') is not None"));
        if (!present.Value!.Value.GetBoolean())
        {
            return; // a build without CPython's test modules
        }
        using var store = Store();
        var session = (await store.CreateAsync("owner", isolation: WorkerIsolation.Interpreter)).Session!;

        var result = await store.SubmitAsync(session, new RunJob("import _testsinglephase"));

        Assert.Equal("ImportError", result.Error!.Type);
        Assert.Contains("isolation 'shared'", result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Workers:Isolation", result.Error.Message, StringComparison.Ordinal);
    }
}
