namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class DeadlineTests(PoolFixture fixture)
{
    [Fact]
    public async Task SubmitAsync_PurePythonRunaway_TimesOutWithEarlierOutputAndWorkerSurvives()
    {
        // A plain endless loop, and one that swallows every Exception. Both run at once, so the generous deadline
        // (room for the print on a starved machine) is paid once; the long grace period keeps a starved worker
        // from being taken for one stuck in C.
        string[] runaways =
        [
            "print('started')\nwhile True:\n    pass",
            "print('started')\nwhile True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
        ];
        await using var pool = fixture.CreatePool(o =>
        {
            o.WorkerCount = 2;
            o.InterruptGracePeriod = TimeSpan.FromSeconds(10);
        });

        var results = await Task.WhenAll(runaways.Select(code => pool.SubmitAsync(new RunJob(code) { Timeout = TimeSpan.FromSeconds(3) })));
        var next = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => pool.SubmitAsync(new EvalJob($"{i} + 1"))));

        Assert.All(results, result =>
        {
            Assert.Equal(JobOutcome.Timeout, result.Outcome);
            Assert.Equal(JobErrorTypes.Timeout, result.Error!.Type);
            Assert.Equal("started\n", result.Stdout);
        });
        Assert.Equal([1, 2, 3, 4], next.Select(r => r.Value!.Value.GetInt32()));
        Assert.Equal(0, pool.Status.QuarantinedWorkers);
    }

    [Fact]
    public async Task SubmitAsync_AfterTimeouts_InterruptNeverLeaksIntoNextJobs()
    {
        await using var pool = fixture.CreatePool(o => o.InterruptGracePeriod = TimeSpan.FromSeconds(2));

        for (var round = 0; round < 5; round++)
        {
            // Finishes close to its deadline, so the interrupt sometimes arrives after the job is over.
            var racing = await pool.SubmitAsync(new RunJob("import time\nt = time.monotonic() + 0.05\nwhile time.monotonic() < t:\n    pass")
            {
                Timeout = TimeSpan.FromMilliseconds(50),
            });
            Assert.Contains(racing.Outcome, new[] { JobOutcome.Ok, JobOutcome.Timeout });
            var followUps = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => pool.SubmitAsync(new RunJob("s = 0\nfor i in range(20000):\n    s += i\ns"))));
            Assert.All(followUps, r => Assert.Equal(JobOutcome.Ok, r.Outcome));
        }
    }

    [Fact]
    public async Task SubmitAsync_StuckInNativeCode_TimesOutQuarantinesReplacesAndRetires()
    {
        await using var pool = fixture.CreatePool(o => o.InterruptGracePeriod = TimeSpan.FromMilliseconds(100));

        // The job blocks in C (a lock wait) until the test opens the gate, which it does only after the timeout
        // result arrived: so the result cannot have waited for the native call. The gate lives in a module in
        // sys.modules, which all jobs share (names added to builtins are removed after each job), and the wait is
        // bounded in case the test fails first.
        var gate = "sidewinder_test_gate_" + Guid.NewGuid().ToString("N");
        var stuck = await pool.SubmitAsync(new RunJob(
            $"import sys, types, threading\nshared = sys.modules.setdefault('sidewinder_test_shared', types.ModuleType('s'))\ngate = shared.{gate} = threading.Event()\nprint('before wait', flush=True)\ngate.wait(60)\nprint('never')")
        {
            Timeout = TimeSpan.FromSeconds(3), // room for the print on a starved machine
        });
        await Wait.UntilAsync(() => pool.Status is { QuarantinedWorkers: 1, Workers: 1 }, "a replacement for the quarantined worker");
        var replacement = await pool.SubmitAsync(new EvalJob("'replacement'"));
        var release = await pool.SubmitAsync(new EvalJob($"__import__('sys').modules['sidewinder_test_shared'].{gate}.set()"));

        Assert.Equal(JobOutcome.Timeout, stuck.Outcome);
        Assert.Equal(JobOutcome.Ok, release.Outcome);
        Assert.Equal("before wait\n", stuck.Stdout);
        Assert.Equal("replacement", replacement.Value!.Value.GetString());
        await Wait.UntilAsync(() => pool.Status.QuarantinedWorkers == 0, "the stuck thread to return and retire");
        Assert.Equal(1, pool.Status.Workers);
        Assert.Contains(fixture.Logs.Entries, e => e.Message.Contains("retired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitAsync_TimeoutAboveMaximum_IsClamped()
    {
        await using var pool = fixture.CreatePool(o =>
        {
            o.MaxTimeout = TimeSpan.FromMilliseconds(200);
            o.DefaultTimeout = TimeSpan.FromMilliseconds(100);
        });

        var result = await pool.SubmitAsync(new RunJob("while True:\n    pass") { Timeout = TimeSpan.FromHours(1) });

        Assert.Equal(JobOutcome.Timeout, result.Outcome);
        Assert.Contains("0.2 s", result.Error!.Message, StringComparison.Ordinal);
    }
}
