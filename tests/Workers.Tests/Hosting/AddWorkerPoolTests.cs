using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Sidewinder.Workers.Tests.Hosting;

[Collection(PythonTests.Name)]
public sealed class AddWorkerPoolTests(PoolFixture fixture)
{
    [Fact]
    public async Task AddWorkerPool_WithExistingRuntime_ResolvesWorkingPool()
    {
        var services = new ServiceCollection();
        services.AddSingleton(fixture.Runtime);
        services.AddLogging();
        services.AddWorkerPool(o => o.WorkerCount = 1);
        await using var provider = services.BuildServiceProvider();

        var pool = provider.GetRequiredService<WorkerPool>();
        var result = await pool.SubmitAsync(new EvalJob("'from di'"));

        Assert.Equal("from di", result.Value!.Value.GetString());
        Assert.Equal(1, pool.Status.Workers);
    }

    [Fact]
    public void AddWorkerPool_InvalidOptions_FailsWithClearMessage()
    {
        var services = new ServiceCollection();
        services.AddSingleton(fixture.Runtime);
        services.AddWorkerPool(o => o.QueueCapacity = 0);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<WorkerPool>());
        Assert.Contains("QueueCapacity", error.Message, StringComparison.Ordinal);
    }
}
