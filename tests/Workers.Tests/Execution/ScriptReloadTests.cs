namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class ScriptReloadTests(PoolFixture fixture)
{
    [Fact]
    public async Task SubmitAsync_ScriptChanged_NewVersionIsCalledWithoutRestart()
    {
        var path = Path.Combine(fixture.ScriptsDirectory, "versioned.py");
        await File.WriteAllTextAsync(path, "def version():\n    return 1\n");
        var first = await fixture.Pool.SubmitAsync(new CallJob("versioned", "version"));
        var cached = await fixture.Pool.SubmitAsync(new CallJob("versioned", "version"));

        await File.WriteAllTextAsync(path, "def version():\n    return 'two'\n");
        var second = await fixture.Pool.SubmitAsync(new CallJob("versioned", "version"));

        Assert.Equal(1, first.Value!.Value.GetInt32());
        Assert.Equal(1, cached.Value!.Value.GetInt32());
        Assert.Equal("two", second.Value!.Value.GetString());
    }

    [Fact]
    public async Task SubmitAsync_ScriptAddedAfterStart_IsImportable()
    {
        await fixture.Pool.SubmitAsync(new CallJob("added_later", "f")); // a miss first, so import caches exist
        await File.WriteAllTextAsync(Path.Combine(fixture.ScriptsDirectory, "added_later.py"), "def f():\n    return 'found'\n");

        var result = await fixture.Pool.SubmitAsync(new CallJob("added_later", "f"));

        Assert.Equal("found", result.Value!.Value.GetString());
    }
}
