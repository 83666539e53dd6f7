namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class InterpreterSettingsTests(PoolFixture fixture)
{
    [Fact]
    public async Task CreatePool_GcThreshold_IsSetOnlyByTheFirstPool()
    {
        // The fixture's pool is the process's first and leaves Python's own threshold; later pools do not change it.
        var expected = fixture.Runtime.Info.IsFreeThreaded ? 2000 : 700;
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
            counts = [sys.getrefcount(c), sys.getrefcount(f), sys.getrefcount(f.__code__)]
            """;

        var result = await fixture.Pool.SubmitAsync(new RunJob(code) { ReturnVariables = ["counts"] });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.All(result.Variables!["counts"].EnumerateArray(), count => Assert.InRange(count.GetInt64(), 1, 100));
    }
}
