using System.Globalization;

namespace Sidewinder.Workers.Tests.Execution;

/// <summary>Hand-off of queued jobs to idle workers (spinning, parking, waking): no job may be left waiting while a
/// worker sleeps. A lost wake-up shows up as a hang, so every wait is bounded.</summary>
[Collection(PythonTests.Name)]
public sealed class IdleWorkersTests(PoolFixture fixture)
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(2000)]
    public async Task SubmitAsync_ManySubmittersBackToBack_EveryJobCompletes(int spinMicroseconds)
    {
        await using var pool = fixture.CreatePool(o =>
        {
            o.WorkerCount = 3;
            o.IdleSpinTime = TimeSpan.FromMicroseconds(spinMicroseconds);
        });

        var submitters = Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var result = await pool.SubmitAsync(new EvalJob("n * 2") { Variables = Json.Variables(("n", (s * 1000 + i).ToString(CultureInfo.InvariantCulture))) });
                Assert.Equal(JobOutcome.Ok, result.Outcome);
                Assert.Equal((s * 1000 + i) * 2, result.Value!.Value.GetInt32());
            }
        }));

        await Task.WhenAll(submitters).WaitAsync(HangLimit);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000)]
    public async Task SubmitAsync_BurstWhileOneWorkerSpins_ReachesEveryParkedWorker(int spinMicroseconds)
    {
        await using var pool = fixture.CreatePool(o =>
        {
            o.WorkerCount = 4;
            o.IdleSpinTime = TimeSpan.FromMicroseconds(spinMicroseconds);
        });
        await Task.Delay(100); // every worker idle and parked
        await pool.SubmitAsync(new EvalJob("0")); // the worker that ran it is spinning now (with spinning on)
        using var gate = new FileGate();

        var burst = Enumerable.Range(0, 4).Select(_ => pool.SubmitAsync(new RunJob(gate.WaitCode))).ToArray();
        // Each job waits for the file, so all four can only be running at once if every worker was woken.
        await Wait.UntilAsync(() => pool.Status.BusyWorkers == 4, "all four workers to run a job of the burst");
        gate.Open();
        var results = await Task.WhenAll(burst).WaitAsync(HangLimit);

        Assert.All(results, r => Assert.Equal(JobOutcome.Ok, r.Outcome));
    }

    [Fact]
    public async Task ShutdownAsync_IdleSpinningAndParkedWorkers_AllStop()
    {
        var pool = fixture.CreatePool(o =>
        {
            o.WorkerCount = 3;
            o.IdleSpinTime = TimeSpan.FromMilliseconds(10);
        });
        await pool.SubmitAsync(new EvalJob("1"));

        await pool.ShutdownAsync().WaitAsync(HangLimit);

        Assert.Equal(JobOutcome.Rejected, (await pool.SubmitAsync(new EvalJob("1"))).Outcome);
    }
}
