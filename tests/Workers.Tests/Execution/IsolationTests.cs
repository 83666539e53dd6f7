using Sidewinder.Interop;
using Sidewinder.Tests;

namespace Sidewinder.Workers.Tests.Execution;

/// <summary><see cref="WorkerIsolation.Interpreter"/>: each worker in a sub-interpreter with its own GIL (CPython 3.12+).</summary>
[Collection(PythonTests.Name)]
public sealed class IsolationTests(PoolFixture fixture)
{
    private const string CurrentInterpreter = "__import__('_interpreters').get_current()[0]";

    private bool Supported => fixture.Runtime.Info.Version >= new Version(3, 12);

    [Fact]
    public void InterpreterIsolation_On311_IsRefusedAtStartWithTheReason()
    {
        if (Supported)
        {
            return;
        }
        var refused = Assert.Throws<ArgumentException>(() => fixture.CreatePool(o => o.Isolation = WorkerIsolation.Interpreter));
        Assert.Contains("Workers:Isolation=Interpreter", refused.Message, StringComparison.Ordinal);
        Assert.Contains("3.12", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InterpreterIsolation_JobsRunInTheWorkersOwnSubInterpreter()
    {
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o => o.Isolation = WorkerIsolation.Interpreter);
        var first = await pool.SubmitAsync(new EvalJob(CurrentInterpreter));
        var second = await pool.SubmitAsync(new EvalJob(CurrentInterpreter));
        var shared = await fixture.Pool.SubmitAsync(new EvalJob(CurrentInterpreter));

        Assert.Equal(JobOutcome.Ok, first.Outcome);
        Assert.NotEqual(0, first.Value!.Value.GetInt64());
        Assert.Equal(first.Value!.Value.GetInt64(), second.Value!.Value.GetInt64()); // one worker, one interpreter
        Assert.Equal(0, shared.Value!.Value.GetInt64());
        Assert.True(pool.Status.Parallel);
    }

    [Theory]
    [InlineData(WorkerIsolation.Interpreter)]
    [InlineData(WorkerIsolation.Shared)]
    public async Task AJobHoldingItsGilInC_BlocksTheOtherWorkerOnlyWhenTheGilIsShared(WorkerIsolation isolation)
    {
        // ctypes.PyDLL calls keep the GIL: while job A waits in C, job B can run only if its worker has a GIL of its own.
        // The marker is written by system()'s child, so A is already inside the GIL-holding call when it appears (a
        // marker written from Python before the call left a window where B could take the GIL first).
        if (!Supported || (isolation == WorkerIsolation.Shared && fixture.Runtime.Info.IsFreeThreaded))
        {
            return;
        }
        await using var pool = fixture.CreatePool(o =>
        {
            o.Isolation = isolation;
            o.WorkerCount = 2;
        });
        var marker = Path.Combine(Path.GetTempPath(), "sidewinder-gil-" + Guid.NewGuid().ToString("N"));
        try
        {
            var holder = pool.SubmitAsync(new RunJob($"import ctypes, shlex\ncommand = ('touch ' + shlex.quote({System.Text.Json.JsonSerializer.Serialize(marker)}) + ' && sleep 4').encode()\nassert ctypes.PyDLL(None).system(command) == 0")
            {
                Timeout = TimeSpan.FromSeconds(60),
            });
            await Wait.UntilAsync(() => File.Exists(marker), "the GIL-holding job to start", 30);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            var other = await pool.SubmitAsync(new EvalJob("2 + 2"));
            waited.Stop();
            Assert.Equal(JobOutcome.Ok, other.Outcome);
            if (isolation == WorkerIsolation.Interpreter)
            {
                Assert.False(holder.IsCompleted); // B ran while A was still in its 4-second C call
            }
            else
            {
                // B had to wait for A's C call to return; seeing the marker late can only shorten this, never by 3 seconds.
                // (The holder's own completion may still come after B's: B can take the GIL first once A releases it.)
                Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(1), $"B finished after {waited.Elapsed} while A held the shared GIL");
            }
            Assert.Equal(JobOutcome.Ok, (await holder).Outcome);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task InterpreterIsolation_RunawayJob_IsInterruptedAtItsDeadline()
    {
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o =>
        {
            o.Isolation = WorkerIsolation.Interpreter;
            o.InterruptGracePeriod = TimeSpan.FromSeconds(10);
        });
        var runaway = await pool.SubmitAsync(new RunJob("print('started')\nwhile True:\n    pass") { Timeout = TimeSpan.FromSeconds(1) });
        var next = await pool.SubmitAsync(new EvalJob("1 + 1"));

        Assert.Equal(JobOutcome.Timeout, runaway.Outcome);
        Assert.Equal("started\n", runaway.Stdout);
        Assert.Equal(2, next.Value!.Value.GetInt32());
        Assert.Equal(0, pool.Status.QuarantinedWorkers);
    }

    [Fact]
    public async Task InterpreterIsolation_AJobHoldingItsGilInC_DoesNotHoldUpDeadlinesInOtherInterpreters()
    {
        // Raising a deadline's exception means attaching to the job's interpreter, which waits for that interpreter's GIL;
        // a stuck interpreter must not keep the exception from a runaway loop in another one (which would then be
        // quarantined as if it were stuck in C, and spin on). On free-threaded builds it also checks that no replacement
        // sub-interpreter is created while the stuck thread is out: that creation stops every thread of the process and
        // waits for the stuck one (it stays attached), which paused the loop instead of interrupting it (seen on 3.14t
        // in a debugger).
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o =>
        {
            o.Isolation = WorkerIsolation.Interpreter;
            o.WorkerCount = 2;
            o.InterruptGracePeriod = TimeSpan.FromMilliseconds(500);
        });
        var stuck = await pool.SubmitAsync(new RunJob("import ctypes\nctypes.PyDLL(None).sleep(6)") { Timeout = TimeSpan.FromMilliseconds(300) });
        var runaway = await pool.SubmitAsync(new RunJob("while True:\n    pass") { Timeout = TimeSpan.FromMilliseconds(500) });
        var quarantined = pool.Status.QuarantinedWorkers;

        Assert.Equal(JobOutcome.Timeout, stuck.Outcome);
        Assert.Equal(JobOutcome.Timeout, runaway.Outcome);
        Assert.Equal(1, quarantined); // the stuck worker only: the loop got its exception and its worker stayed
        await Wait.UntilAsync(() => pool.Status.QuarantinedWorkers == 0, "the stuck call to return", 30);
    }

    [Fact]
    public async Task InterpreterIsolation_WorkerStuckInC_IsReplacedByOneWithAFreshInterpreter()
    {
        if (!Supported)
        {
            return;
        }
        await using var pool = fixture.CreatePool(o =>
        {
            o.Isolation = WorkerIsolation.Interpreter;
            o.InterruptGracePeriod = TimeSpan.FromMilliseconds(200);
        });
        var before = (await pool.SubmitAsync(new EvalJob(CurrentInterpreter))).Value!.Value.GetInt64();
        var stuck = await pool.SubmitAsync(new RunJob("import ctypes\nctypes.PyDLL(None).sleep(3)") { Timeout = TimeSpan.FromMilliseconds(300) });
        await Wait.UntilAsync(() => pool.Status.Workers == 1, "the replacement worker to start");
        var after = await pool.SubmitAsync(new EvalJob(CurrentInterpreter));

        Assert.Equal(JobOutcome.Timeout, stuck.Outcome);
        Assert.Equal(JobOutcome.Ok, after.Outcome);
        Assert.NotEqual(before, after.Value!.Value.GetInt64());
        // The stuck worker returns from C, retires and ends its interpreter on its own thread.
        await Wait.UntilAsync(() => fixture.Runtime.SubInterpreters.All(i => i.Id != before), "the stuck worker to end its interpreter", 30);
    }

    [Fact]
    public async Task InterpreterIsolation_SinglePhaseExtension_IsAClearJobError()
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
        await using var pool = fixture.CreatePool(o => o.Isolation = WorkerIsolation.Interpreter);
        var result = await pool.SubmitAsync(new RunJob("import _testsinglephase"));

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal("ImportError", result.Error!.Type);
        Assert.Contains("_testsinglephase", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Workers:Isolation=Shared", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(JobOutcome.Ok, (await pool.SubmitAsync(new EvalJob("1"))).Outcome);
    }

    [Fact]
    public async Task InterpreterIsolation_PoolShutdown_EndsTheWorkersInterpreters()
    {
        if (!Supported)
        {
            return;
        }
        var pool = fixture.CreatePool(o =>
        {
            o.Isolation = WorkerIsolation.Interpreter;
            o.WorkerCount = 2;
        });
        var ids = new HashSet<long>();
        foreach (var result in await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => pool.SubmitAsync(new EvalJob(CurrentInterpreter)))))
        {
            ids.Add(result.Value!.Value.GetInt64());
        }
        await pool.DisposeAsync();

        Assert.DoesNotContain(fixture.Runtime.SubInterpreters, i => ids.Contains(i.Id));
    }
}
