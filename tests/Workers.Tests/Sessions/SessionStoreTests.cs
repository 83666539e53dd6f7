using System.Text.Json;
using Sidewinder.Tests;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Workers.Tests.Sessions;

[Collection(PythonTests.Name)]
public sealed class SessionStoreTests(PoolFixture fixture)
{
    /// <summary>A clock the test moves; the reaper is called directly, so no test waits for its timer.</summary>
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private SessionStore Store(ManualTime? time = null, Action<PythonSessionOptions>? configure = null)
    {
        var options = new PythonSessionOptions { ReaperInterval = TimeSpan.FromMinutes(10) };
        configure?.Invoke(options);
        return new SessionStore(fixture.Pool, options, fixture.LoggerFactory, timeProvider: time);
    }

    [Fact]
    public async Task SubmitAsync_JobsOfOneSession_ShareItsGlobals()
    {
        using var store = Store();
        var session = (await store.CreateAsync("owner")).Session!;

        await store.SubmitAsync(session, new RunJob("import math\nr = 3"));
        var result = await store.SubmitAsync(session, new EvalJob("math.sqrt(r * r)"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(3.0, result.Value!.Value.GetDouble());
        Assert.Contains(session.Variables, v => v is { Name: "math", Type: "module" });
    }

    [Fact]
    public async Task StatelessJob_AfterSessionJobs_StillStartsFresh()
    {
        using var store = Store();
        var session = (await store.CreateAsync("owner")).Session!;
        await store.SubmitAsync(session, new RunJob("session_only = 1"));

        var result = await fixture.Pool.SubmitAsync(new EvalJob("'session_only' in globals() or 'SESSION_DIR' in globals()"));

        Assert.False(result.Value!.Value.GetBoolean());
    }

    [Fact]
    public async Task Find_OtherOwner_ReturnsNull()
    {
        using var store = Store();
        var session = (await store.CreateAsync("alice")).Session!;

        Assert.Null(store.Find(session.Id, "bob"));
        Assert.Same(session, store.Find(session.Id, "alice"));
        Assert.Empty(store.List("bob"));
    }

    [Fact]
    public async Task Delete_ClearsTheNamespaceOnAWorker_SoItsObjectsGoAtOnce()
    {
        using var store = Store();
        var session = (await store.CreateAsync("owner")).Session!;
        var freed = Path.Combine(Path.GetTempPath(), "sidewinder-freed-" + Guid.NewGuid().ToString("N"));
        // The function refers to the globals and the globals to the function: a cycle that only clearing (or a later
        // garbage collection) breaks. Collection is off meanwhile, so only the clearing can free the probe.
        await store.SubmitAsync(session, new RunJob(
            "import gc\ngc.disable()\n" +
            $"class Probe:\n    def __del__(self):\n        open({JsonSerializer.Serialize(freed)}, 'w').close()\n" +
            "probe = Probe()\ndef keep():\n    return probe"));
        try
        {
            Assert.True(store.Delete(session.Id, "owner"));

            // The finalizer runs inside the clearing; the dict is let go right after it, on the worker. The directory
            // goes on the thread that released the session, which may be after the worker let the dict go (when the
            // delete found the first job still finishing, its end releases the session), so all three are awaited.
            await UntilAsync(() => File.Exists(freed) && session.Globals is null && !Directory.Exists(session.Files.Directory));
        }
        finally
        {
            await fixture.Pool.SubmitAsync(new RunJob("import gc\ngc.enable()"));
            File.Delete(freed);
        }
    }

    [Fact]
    public async Task Reap_IdlePastTimeout_EndsTheSession()
    {
        var time = new ManualTime();
        using var store = Store(time);
        var session = (await store.CreateAsync("owner", idleTimeout: TimeSpan.FromMinutes(1))).Session!;

        time.Now += TimeSpan.FromSeconds(59);
        store.Reap();
        Assert.Equal(1, store.Count);
        time.Now += TimeSpan.FromSeconds(2);
        store.Reap();

        Assert.Equal(0, store.Count);
        Assert.Equal(SessionState.Ended, session.State);
        Assert.False(Directory.Exists(session.Files.Directory));
    }

    [Fact]
    public async Task Reap_BusyPastMaxLifetime_InterruptsAndEndsIt()
    {
        var time = new ManualTime();
        using var store = Store(time, o => o.MaxLifetime = TimeSpan.FromHours(1));
        var session = (await store.CreateAsync("owner")).Session!;
        using var gate = new FileGate();
        var running = store.SubmitAsync(session, new RunJob(gate.WaitCode));
        await UntilAsync(() => session.State == SessionState.Busy);

        time.Now += TimeSpan.FromHours(2);
        store.Reap();
        var result = await running;

        Assert.Equal(JobOutcome.Cancelled, result.Outcome);
        Assert.Equal(JobErrorTypes.Interrupted, result.Error!.Type);
        Assert.Contains("expired", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Dispose_EndsEverySession_InterruptingRunningJobsAndRemovingDirectories()
    {
        var store = Store();
        var idle = (await store.CreateAsync("owner")).Session!;
        var busy = (await store.CreateAsync("owner")).Session!;
        using var gate = new FileGate();
        var running = store.SubmitAsync(busy, new RunJob(gate.WaitCode));
        await UntilAsync(() => busy.State == SessionState.Busy);

        store.Dispose();
        var result = await running;

        Assert.Equal(JobErrorTypes.Interrupted, result.Error!.Type);
        Assert.Contains("shut down", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
        await UntilAsync(() => !Directory.Exists(idle.Files.Directory) && !Directory.Exists(busy.Files.Directory));
        Assert.Equal(JobOutcome.Cancelled, (await store.SubmitAsync(idle, new EvalJob("1"))).Outcome);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsListingEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => Store(configure: o =>
        {
            o.DefaultIdleTimeout = TimeSpan.FromHours(2);
            o.MaxQueuedPerSession = -1;
        }));

        Assert.Contains("Sessions:DefaultIdleTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sessions:MaxQueuedPerSession", error.Message, StringComparison.Ordinal);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 20_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "The condition did not become true within 20 s.");
            await Task.Delay(10);
        }
    }
}
