namespace Sidewinder.Interop.Tests.Async;

[Collection(PythonTests.Name)]
public sealed class AsyncLoopTests(RuntimeFixture fixture)
{
    private const string Coroutines = """
        import asyncio
        seen = []

        async def double(x):
            await asyncio.sleep(0.01)
            return x * 2

        async def boom():
            await asyncio.sleep(0)
            raise ValueError('nope')

        async def slow():
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                seen.append('cancelled')
                raise
        """;

    private readonly PythonRuntime _runtime = fixture.Runtime;

    private PyOwned Globals() => _runtime.Attach(py =>
    {
        using var globals = py.NewGlobals();
        using var code = py.Compile(Coroutines, "<coroutines>", CompileMode.Exec);
        py.Execute(code, globals);
        return globals.ToOwned();
    });

    private static PythonCoroutineFactory Call(PyOwned globals, string function, long? argument = null) => py =>
    {
        using var g = globals.Bind(py);
        using var f = g.GetItem(function);
        if (argument is not { } value)
        {
            return f.Call();
        }
        using var arg = py.Int(value);
        return f.Call(arg);
    };

    [Fact]
    public async Task RunAsync_Coroutine_CompletesWithConvertedResult()
    {
        using var globals = Globals();
        using var loop = PyAsyncLoop.Start(_runtime);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => loop.RunAsync<long>(Call(globals, "double", i))));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2L), results);
    }

    [Fact]
    public async Task RunAsync_CoroutineRaises_TaskFailsWithPythonException()
    {
        using var globals = Globals();
        using var loop = PyAsyncLoop.Start(_runtime);
        var error = await Assert.ThrowsAsync<PythonException>(() => loop.RunAsync<long>(Call(globals, "boom")));
        Assert.True(error.Is("ValueError"));
        Assert.Equal("nope", error.PythonMessage);
    }

    [Fact]
    public async Task RunAsync_TokenCancelled_RaisesCancelledErrorInsidePython()
    {
        using var globals = Globals();
        using var loop = PyAsyncLoop.Start(_runtime);
        using var cancellation = new CancellationTokenSource();
        var task = loop.RunAsync<PyOwned>(Call(globals, "slow"), cancellation.Token);
        await Task.Delay(100);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal("['cancelled']", _runtime.Attach(py =>
        {
            using var g = globals.Bind(py);
            using var seen = g.GetItem("seen");
            return seen.Repr();
        }));
    }

    [Fact]
    public async Task Dispose_WithACoroutineRunning_CancelsIt()
    {
        using var globals = Globals();
        var loop = PyAsyncLoop.Start(_runtime);
        var task = loop.RunAsync<PyOwned>(Call(globals, "slow"));
        await Task.Delay(50);
        loop.Dispose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => loop.RunAsync<long>(Call(globals, "double", 1)));
    }
}
