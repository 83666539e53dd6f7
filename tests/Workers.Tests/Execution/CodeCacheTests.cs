namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class CodeCacheTests(PoolFixture fixture)
{
    [Fact]
    public async Task Eval_SameExpressionWithOtherVariables_IsCompiledOnceAndGivesEachResult()
    {
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 2);
        var expression = "price * quantity  # " + Guid.NewGuid().ToString("N");

        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => pool.SubmitAsync(new EvalJob(expression)
        {
            Variables = new Dictionary<string, System.Text.Json.JsonElement> { ["price"] = Json($"{i}"), ["quantity"] = Json("3") },
        })));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 3), results.Select(r => r.Value!.Value.GetInt32()));
        Assert.Equal(1, pool.Shared.Runner.CachedExpressions);
    }

    [Fact]
    public async Task Eval_SyntaxErrorAndLongExpression_AreNotKept()
    {
        await using var pool = fixture.CreatePool(_ => { });
        var longExpression = "1" + string.Concat(Enumerable.Repeat(" + 1", 2000));

        var broken = await pool.SubmitAsync(new EvalJob("1 +"));
        var brokenAgain = await pool.SubmitAsync(new EvalJob("1 +"));
        var sum = await pool.SubmitAsync(new EvalJob(longExpression));

        Assert.Equal("SyntaxError", broken.Error!.Type);
        Assert.Equal("SyntaxError", brokenAgain.Error!.Type);
        Assert.Equal(2001, sum.Value!.Value.GetInt32());
        Assert.Equal(0, pool.Shared.Runner.CachedExpressions);
    }

    [Fact]
    public async Task Run_RepeatedCell_GetsFreshGlobalsAndTracebacksEachTime()
    {
        var cell = "count = globals().get('count', 0) + 1\nif fail:\n    1 / 0\ncount  # " + Guid.NewGuid().ToString("N");

        var first = await fixture.Pool.SubmitAsync(new RunJob(cell) { Variables = new Dictionary<string, System.Text.Json.JsonElement> { ["fail"] = Json("false") } });
        var second = await fixture.Pool.SubmitAsync(new RunJob(cell) { Variables = new Dictionary<string, System.Text.Json.JsonElement> { ["fail"] = Json("false") } });
        var failing = await fixture.Pool.SubmitAsync(new RunJob(cell) { Variables = new Dictionary<string, System.Text.Json.JsonElement> { ["fail"] = Json("true") } });

        Assert.Equal(1, first.Value!.Value.GetInt32());
        Assert.Equal(1, second.Value!.Value.GetInt32()); // nothing carried over from the first run
        Assert.Equal("ZeroDivisionError", failing.Error!.Type);
        var frame = Assert.Single(failing.Error.Frames);
        Assert.Equal(("<run>", 3, "1 / 0"), (frame.File, frame.Line, frame.Source));
    }

    private static System.Text.Json.JsonElement Json(string text)
    {
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
