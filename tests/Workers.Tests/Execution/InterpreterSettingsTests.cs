namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class InterpreterSettingsTests(PoolFixture fixture)
{
    [Fact]
    public async Task CreatePool_GcThreshold_IsSetOnlyByTheFirstPool()
    {
        // The fixture's pool is the process's first and leaves Python's own threshold; later pools do not change it.
        // Python's own: 700 on 3.11 and 3.12, 2000 from 3.13 (GIL and free-threaded alike), so ask the installation itself.
        var expected = DefaultGcThreshold(fixture.Runtime.Installation.Executable!);
        await using var later = fixture.CreatePool(o => o.GcThreshold = 12_345);

        var result = await later.SubmitAsync(new EvalJob("__import__('gc').get_threshold()"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(expected, result.Value!.Value[0].GetInt32());
    }

    [Fact]
    public async Task SubmitAsync_CodeAndFunctionsAJobCreates_AreNotImmortal()
    {
        // Free-threaded 3.13 would make them immortal (never freed) once worker threads exist; the pool stops that.
        // An immortal object's reference count reads as a huge constant; a mortal one's as a few.
        const string code = """
            import sys
            def f():
                pass
            c = compile('x + 1', '<probe>', 'eval')
            if hasattr(sys, '_is_immortal'):
                # 3.14+: asked directly; 3.14t's deferred reference counts read as huge numbers without being immortal
                counts = [2 if sys._is_immortal(o) else 1 for o in (c, f, f.__code__)]
            else:
                counts = [sys.getrefcount(c), sys.getrefcount(f), sys.getrefcount(f.__code__)]
            """;

        var result = await fixture.Pool.SubmitAsync(new RunJob(code) { ReturnVariables = ["counts"] });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.All(result.Variables!["counts"].EnumerateArray(), count => Assert.InRange(count.GetInt64(), 1, 100));
        // (with sys._is_immortal, 1 means mortal and 2 immortal: the same range check)
    }

    [Fact]
    public async Task CreatePool_ImmortalizationSwitch_IsUsedOnFreeThreaded313Only()
    {
        // Only 3.13t immortalizes new code objects (gh-117783) and needs _testinternalcapi's switch; 3.14t has deferred
        // reference counting, so the pool must neither import the test module there nor warn that it is missing.
        // SubmitAsync_CodeAndFunctionsAJobCreates_AreNotImmortal checks on each build that jobs' code is freed.
        var info = fixture.Runtime.Info;
        var needsSwitch = info.IsFreeThreaded && info.Version < new Version(3, 14);

        var result = await fixture.Pool.SubmitAsync(new EvalJob("'_testinternalcapi' in __import__('sys').modules"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(needsSwitch, result.Value!.Value.GetBoolean());
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains("_testinternalcapi", StringComparison.Ordinal));
    }

    private static int DefaultGcThreshold(string executable)
    {
        var info = new System.Diagnostics.ProcessStartInfo(executable, ["-I", "-c", "import gc; print(gc.get_threshold()[0])"])
        {
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
