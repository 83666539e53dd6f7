namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class QueueTests(PoolFixture fixture)
{
    // Each blocker waits for its test to open a gate: a fixed sleep could end before a slow machine's test saw it start.
    private static string Blocker(FileGate gate) => gate.WaitCode + "'blocker'";

    [Fact]
    public async Task SubmitAsync_CancelledBeforeStart_IsSkippedNotRun()
    {
        await using var pool = fixture.CreatePool(_ => { });
        using var gate = new FileGate();
        var blocker = pool.SubmitAsync(new RunJob(Blocker(gate)));
        await Wait.UntilAsync(() => pool.Status.BusyWorkers == 1, "the blocker to start");
        using var cancellation = new CancellationTokenSource();

        var skipped = pool.SubmitAsync(new RunJob("import builtins\nbuiltins.sidewinder_cancelled_job_ran = True"), cancellation.Token);
        await cancellation.CancelAsync();
        gate.Open();
        var result = await skipped;
        await blocker;
        var probe = await pool.SubmitAsync(new EvalJob("hasattr(__import__('builtins'), 'sidewinder_cancelled_job_ran')"));

        Assert.Equal(JobOutcome.Cancelled, result.Outcome);
        Assert.Equal(JobErrorTypes.Cancelled, result.Error!.Type);
        Assert.False(probe.Value!.Value.GetBoolean());
    }

    [Fact]
    public async Task SubmitAsync_AlreadyCancelledToken_ReturnsCancelled()
    {
        var result = await fixture.Pool.SubmitAsync(new EvalJob("1"), new CancellationToken(canceled: true));

        Assert.Equal(JobOutcome.Cancelled, result.Outcome);
    }

    [Fact]
    public async Task SubmitAsync_CancelledWhileRunning_IsInterrupted()
    {
        await using var pool = fixture.CreatePool(_ => { });
        using var cancellation = new CancellationTokenSource();
        using var printed = new FileGate();

        var running = pool.SubmitAsync(new RunJob("print('spinning')\n" + printed.OpenCode + "while True:\n    pass"), cancellation.Token);
        await Wait.UntilAsync(() => printed.IsOpen, "the job to print");
        await cancellation.CancelAsync();
        var result = await running;

        Assert.Equal(JobOutcome.Cancelled, result.Outcome);
        Assert.Equal("spinning\n", result.Stdout);
    }

    [Fact]
    public async Task SubmitAsync_QueueFull_RejectsAtOnce()
    {
        await using var pool = fixture.CreatePool(o => o.QueueCapacity = 1);
        using var gate = new FileGate();
        var blocker = pool.SubmitAsync(new RunJob(Blocker(gate)));
        await Wait.UntilAsync(() => pool.Status.BusyWorkers == 1, "the blocker to start");

        var queued = pool.SubmitAsync(new EvalJob("'queued'"));
        var rejected = await pool.SubmitAsync(new EvalJob("'rejected'"));
        gate.Open();

        Assert.Equal(JobOutcome.Rejected, rejected.Outcome);
        Assert.Equal(JobErrorTypes.QueueFull, rejected.Error!.Type);
        Assert.Equal("queued", (await queued).Value!.Value.GetString());
        Assert.Equal(JobOutcome.Ok, (await blocker).Outcome);
    }

    [Fact]
    public async Task ShutdownAsync_RunningFinishesQueuedCancelledNewRejected()
    {
        var pool = fixture.CreatePool(_ => { });
        using var gate = new FileGate();
        var running = pool.SubmitAsync(new RunJob(Blocker(gate)));
        await Wait.UntilAsync(() => pool.Status.BusyWorkers == 1, "the blocker to start");
        var queued = pool.SubmitAsync(new EvalJob("'queued'"));

        var shutdown = pool.ShutdownAsync(); // takes queued jobs off the queue before it returns
        var late = await pool.SubmitAsync(new EvalJob("'late'"));
        gate.Open();
        await shutdown;

        Assert.Equal("blocker", (await running).Value!.Value.GetString());
        var cancelled = await queued;
        Assert.Equal(JobOutcome.Cancelled, cancelled.Outcome);
        Assert.Equal(JobErrorTypes.ShuttingDown, cancelled.Error!.Type);
        Assert.Equal(JobOutcome.Rejected, late.Outcome);
        Assert.Equal(JobErrorTypes.ShuttingDown, late.Error!.Type);
        Assert.False(pool.Status.IsAcceptingJobs);
    }

    [Fact]
    public async Task ShutdownAsync_JobOverGracePeriod_IsInterrupted()
    {
        var pool = fixture.CreatePool(o => o.ShutdownGracePeriod = TimeSpan.FromMilliseconds(100));
        var running = pool.SubmitAsync(new RunJob("while True:\n    pass"));
        await Wait.UntilAsync(() => pool.Status.BusyWorkers == 1, "the job to start");

        await pool.ShutdownAsync();

        Assert.Equal(JobOutcome.Cancelled, (await running).Outcome);
    }
}
