namespace Sidewinder.Workers.Tests.Execution;

/// <summary><see cref="WorkerPoolOptions.CallModules"/>: with <see cref="CallModuleScope.Scripts"/> a call job reaches only what
/// the pool's own scripts define.</summary>
[Collection(PythonTests.Name)]
public sealed class CallModulesTests(PoolFixture fixture) : IDisposable
{
    private readonly string _scripts = Directory.CreateTempSubdirectory("sidewinder-only-scripts-").FullName;
    private readonly string _module = "tools_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task SubmitAsync_ScriptsOnly_CallsWhatTheScriptDefines()
    {
        await File.WriteAllTextAsync(Path.Combine(_scripts, _module + ".py"), "from os import getcwd\n\ndef add(a, b):\n    return a + b\n");
        await using var pool = fixture.CreatePool(o =>
        {
            o.ScriptsDirectory = _scripts;
            o.CallModules = CallModuleScope.Scripts;
        });

        var result = await pool.SubmitAsync(new CallJob(_module, "add") { Args = [Json.Parse("2"), Json.Parse("3")] });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(5, result.Value!.Value.GetInt32());
    }

    [Theory]
    [InlineData("builtins", "exec")]
    [InlineData("os", "getcwd")]
    [InlineData("os.path", "join")]
    public async Task SubmitAsync_ScriptsOnly_OtherModulesAreRefused(string module, string function)
    {
        await using var pool = fixture.CreatePool(o =>
        {
            o.ScriptsDirectory = _scripts;
            o.CallModules = CallModuleScope.Scripts;
        });

        var result = await pool.SubmitAsync(new CallJob(module, function) { Args = [Json.Parse("\"x\"")] });

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal(JobErrorTypes.InvalidJob, result.Error!.Type);
        Assert.Contains("Workers:CallModules is Scripts", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_ScriptsOnly_NamesAScriptImportedAndOtherPoolsScriptsAreRefused()
    {
        await File.WriteAllTextAsync(Path.Combine(_scripts, _module + ".py"), "from os import getcwd\n");
        var elsewhere = "elsewhere_" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(fixture.ScriptsDirectory, elsewhere + ".py"), "def f():\n    return 1\n");
        await using var pool = fixture.CreatePool(o =>
        {
            o.ScriptsDirectory = _scripts;
            o.CallModules = CallModuleScope.Scripts;
        });

        var imported = await pool.SubmitAsync(new CallJob(_module, "getcwd"));
        var otherPools = await pool.SubmitAsync(new CallJob(elsewhere, "f"));
        var inTheSharedPool = await fixture.Pool.SubmitAsync(new CallJob(elsewhere, "f")); // CallModules Any there

        Assert.Equal(JobErrorTypes.InvalidJob, imported.Error!.Type);
        Assert.Contains("not defined by the script", imported.Error.Message, StringComparison.Ordinal);
        Assert.Equal(JobErrorTypes.InvalidJob, otherPools.Error!.Type);
        Assert.Equal(1, inTheSharedPool.Value!.Value.GetInt32());
    }

    [Fact]
    public async Task SubmitAsync_ScriptsOnly_ScriptAddedAfterStartIsCallable()
    {
        await using var pool = fixture.CreatePool(o =>
        {
            o.ScriptsDirectory = _scripts;
            o.CallModules = CallModuleScope.Scripts;
        });
        var missing = await pool.SubmitAsync(new CallJob(_module, "f"));
        await File.WriteAllTextAsync(Path.Combine(_scripts, _module + ".py"), "def f():\n    return 'added'\n");

        var added = await pool.SubmitAsync(new CallJob(_module, "f"));

        Assert.Equal(JobErrorTypes.InvalidJob, missing.Error!.Type);
        Assert.Equal("added", added.Value!.Value.GetString());
    }

    public void Dispose() => Directory.Delete(_scripts, recursive: true);
}
