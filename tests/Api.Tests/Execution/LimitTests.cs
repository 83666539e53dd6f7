using System.Net;
using Sidewinder.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Sidewinder.Api.Tests.Execution;

[Collection(ApiTests.Name)]
public sealed class LimitTests
{
    [Fact]
    public async Task Eval_CodeLongerThanLimit_Returns413NamingTheSetting()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Limits:MaxCodeChars"] = "10" });
        var client = factory.CreateClient();

        var response = await client.PostJsonAsync("/eval", new { code = "1 + 1 + 1 + 1" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:too-large", body.Str("type"));
        Assert.Contains("Limits:MaxCodeChars", body.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_BodyLargerThanLimit_Returns413BeforeRunning()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "2048" });
        var client = factory.CreateClient();

        var response = await client.PostJsonAsync("/eval", new { code = "len(s)", variables = new { s = new string('x', 4096) } });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Limits:MaxRequestBodyBytes", body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("invalid", body.Str("outcome"));
    }

    [Fact]
    public async Task Execution_OverRateLimit_Returns429WithRetryAfter()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Limits:RateLimitPermitsPerSecond"] = "1",
            ["Limits:RateLimitBurst"] = "2",
        });
        var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 3; i++)
        {
            var response = await client.PostJsonAsync("/eval", new { code = "1" });
            statuses.Add(response.StatusCode);
            limited = response;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var body = await limited.JsonAsync();
        Assert.Equal("urn:sidewinder:problem:rate-limited", body.Str("type"));
        Assert.Equal("rejected", body.Str("outcome"));
    }

    [Fact]
    public async Task Execution_RateLimitOff_NeverReturns429()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Limits:RateLimitPermitsPerSecond"] = "0",
            ["Limits:RateLimitBurst"] = "1",
        });
        var client = factory.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync("/eval", new { code = "1" })).StatusCode);
        }
    }

    [Fact]
    public async Task Execution_QueueFull_Returns503WithRetryAfter()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Workers:WorkerCount"] = "1",
            ["Workers:QueueCapacity"] = "1",
        });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        using var gate = new FileGate();

        // One job occupies the only worker, one waits in the queue; the next cannot be queued.
        var running = client.PostJsonAsync("/run", new { code = gate.WaitCode });
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 1);
        var queued = client.PostJsonAsync("/eval", new { code = "1" });
        await Poll.UntilAsync(() => pool.Status.QueuedJobs == 1);
        var rejected = await client.PostJsonAsync("/eval", new { code = "1" });
        gate.Open();

        var body = await rejected.JsonAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal("1", rejected.Headers.GetValues("Retry-After").Single());
        Assert.Equal("rejected", body.Str("outcome"));
        Assert.Equal("sidewinder.QueueFull", body.GetProperty("error").Str("type"));
        // Nothing accepted is lost: the running and the queued job both complete.
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
    }

    [Fact]
    public async Task Run_TimeoutAboveMaximum_IsCappedAtMaxTimeout()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:MaxTimeout"] = "00:00:00.300", ["Workers:DefaultTimeout"] = "00:00:00.300" });
        var client = factory.CreateClient();

        var response = await client.PostJsonAsync("/run", new { code = "while True:\n    pass", timeoutMs = 600_000 });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("0.3 s", body.Str("detail"), StringComparison.Ordinal);
    }
}
