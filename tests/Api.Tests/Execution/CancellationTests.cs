using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sidewinder.Workers;

namespace Sidewinder.Api.Tests.Execution;

[Collection(ApiTests.Name)]
public sealed class CancellationTests
{
    [Fact]
    public async Task Run_ClientDisconnectsWhileRunning_JobIsInterrupted()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1" });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        using var disconnect = new CancellationTokenSource();

        var request = client.PostAsync("/run", Json("{\"code\": \"while True:\\n    pass\", \"timeoutMs\": 60000}"), disconnect.Token);
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 1);
        await disconnect.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        // The worker is free again long before the 60 s deadline, and takes the next job.
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 0);
        var next = await client.PostJsonAsync("/eval", new { code = "2" });
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.EventName == "RequestCompleted" && Equals(e.Properties["Outcome"], "cancelled"));
    }

    [Fact]
    public async Task Run_ClientDisconnectsWhileQueued_JobNeverRuns()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1" });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        var marker = Path.Combine(Path.GetTempPath(), "sidewinder-cancel-" + Guid.NewGuid().ToString("N"));
        using var disconnect = new CancellationTokenSource();

        using var gate = new FileGate();

        var blocker = client.PostJsonAsync("/run", new { code = gate.WaitCode });
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 1);
        var queued = client.PostAsync("/run", Json($"{{\"code\": \"open(p, 'w').close()\", \"variables\": {{\"p\": \"{marker}\"}}}}"), disconnect.Token);
        await Poll.UntilAsync(() => pool.Status.QueuedJobs == 1);
        await disconnect.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        gate.Open();

        Assert.Equal(HttpStatusCode.OK, (await blocker).StatusCode);
        // After the blocker, the worker is idle: the cancelled job was skipped, not run.
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync("/eval", new { code = "1" })).StatusCode);
        Assert.False(File.Exists(marker));
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
