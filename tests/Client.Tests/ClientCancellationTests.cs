namespace Sidewinder.Client.Tests;

[Collection(ApiTests.Name)]
public sealed class ClientCancellationTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task RunAsync_TokenCancelledWhileRunning_DisconnectsAndTheJobIsInterrupted(Transport transport)
    {
        using var host = new ClientHost(transport, new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1" });
        using var cancel = new CancellationTokenSource();

        var run = host.Client.RunAsync(new RunRequest("while True:\n    pass") { TimeoutMs = 60_000 }, cancel.Token);
        await Poll.UntilAsync(() => host.Pool.Status.BusyWorkers == 1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        // Free long before the 60 s deadline: the disconnect reached the service, which interrupted the job.
        await Poll.UntilAsync(() => host.Pool.Status.BusyWorkers == 0);
        await Poll.UntilAsync(() => host.Outcomes("/run").Contains("cancelled"));
        Assert.Equal(1, (await host.Client.EvalAsync(new EvalRequest("1"))).GetValue<int>());
    }
}
