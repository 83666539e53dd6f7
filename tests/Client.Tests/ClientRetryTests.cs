using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Polly;

namespace Sidewinder.Client.Tests;

/// <summary>Retries of what cannot have run, against the real service; and what is never retried.</summary>
[Collection(ApiTests.Name)]
public sealed class ClientRetryTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task EvalAsync_QueueFull_IsRetriedAndSucceeds(Transport transport)
    {
        using var host = new ClientHost(transport, new Dictionary<string, string?>
        {
            ["Workers:WorkerCount"] = "1",
            ["Workers:QueueCapacity"] = "1",
        }, o => o.MaxRetryAttempts = 10);
        using var gate = new FileGate();
        var holding = await host.FillQueueAsync(gate);

        var eval = host.Client.EvalAsync(new EvalRequest("40 + 2"));
        await Poll.UntilAsync(() => host.Outcomes("/eval").Contains("rejected")); // the first attempt met a full queue
        gate.Open();

        Assert.Equal(42, (await eval).GetValue<int>());
        await holding;
        var outcomes = host.Outcomes("/eval");
        Assert.Equal("ok", outcomes[^1]);
        Assert.All(outcomes.SkipLast(1), o => Assert.Equal("rejected", o));
    }

    [Fact]
    public async Task EvalAsync_QueueFullWithRetriesOff_ThrowsRejectedWithRetryAfter()
    {
        using var host = new ClientHost(Transport.InProcess, new Dictionary<string, string?>
        {
            ["Workers:WorkerCount"] = "1",
            ["Workers:QueueCapacity"] = "1",
        }, o => o.MaxRetryAttempts = 0);
        using var gate = new FileGate();
        var holding = await host.FillQueueAsync(gate);

        var error = await Assert.ThrowsAsync<SidewinderRejectedException>(() => host.Client.EvalAsync(new EvalRequest("1")));
        gate.Open();
        await holding;

        Assert.Equal(503, error.Status);
        Assert.Equal("sidewinder.QueueFull", error.Error?.Type);
        Assert.Equal(TimeSpan.FromSeconds(1), error.RetryAfter);
        Assert.Single(host.Outcomes("/eval"));
    }

    [Fact]
    public async Task EvalAsync_RateLimited_IsRetriedAfterRetryAfterAndSucceeds()
    {
        using var host = new ClientHost(Transport.InProcess, new Dictionary<string, string?>
        {
            ["Limits:RateLimitPermitsPerSecond"] = "1",
            ["Limits:RateLimitBurst"] = "1",
        });

        await host.Client.EvalAsync(new EvalRequest("1"));
        var second = await host.Client.EvalAsync(new EvalRequest("2"));

        Assert.Equal(2, second.GetValue<int>());
        var outcomes = host.Outcomes("/eval");
        Assert.Equal("ok", outcomes[0]);
        Assert.Equal("ok", outcomes[^1]);
        Assert.NotEmpty(outcomes.Skip(1).SkipLast(1));
        Assert.All(outcomes.Skip(1).SkipLast(1), o => Assert.Equal("rejected", o));
    }

    [Fact]
    public async Task CallAsync_PythonError_IsNotRetried()
    {
        using var host = new ClientHost(Transport.InProcess, configure: o => o.MaxRetryAttempts = 5);

        await Assert.ThrowsAsync<SidewinderPythonException>(() => host.Client.CallAsync(new CallRequest("mathx", "fail") { Args = ["no"] }));

        Assert.Single(host.Outcomes("/call"));
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, true)]
    [InlineData(HttpRequestError.NameResolutionError, true)]
    [InlineData(HttpRequestError.ResponseEnded, false)]
    [InlineData(HttpRequestError.Unknown, false)]
    public async Task CannotHaveRun_TransportError_RetriesOnlyFailuresBeforeSending(HttpRequestError kind, bool expected)
    {
        var outcome = Outcome.FromException<HttpResponseMessage>(new HttpRequestException(kind, "test"));

        Assert.Equal(expected, await SafeRetry.CannotHaveRunAsync(outcome, TimeSpan.FromSeconds(30), default));
    }

    [Theory]
    [InlineData(503, "{\"type\":\"urn:sidewinder:problem:unavailable\",\"error\":{\"type\":\"sidewinder.QueueFull\",\"message\":\"\"}}", true)]
    [InlineData(503, "{\"type\":\"urn:sidewinder:problem:unavailable\",\"error\":{\"type\":\"sidewinder.NoWorkers\",\"message\":\"\"}}", true)]
    [InlineData(503, "{\"type\":\"urn:sidewinder:problem:unavailable\",\"outcome\":\"cancelled\",\"error\":{\"type\":\"sidewinder.ShuttingDown\",\"message\":\"\"}}", true)]
    [InlineData(503, "<html>Service Unavailable</html>", false)]
    [InlineData(503, "{\"type\":\"urn:sidewinder:problem:unavailable\"}", false)]
    [InlineData(429, "{\"type\":\"urn:sidewinder:problem:rate-limited\"}", true)]
    [InlineData(504, "{\"type\":\"urn:sidewinder:problem:timeout\"}", false)]
    [InlineData(500, "{\"type\":\"urn:sidewinder:problem:internal-error\"}", false)]
    [InlineData(422, "{\"type\":\"urn:sidewinder:problem:python-error\"}", false)]
    [InlineData(499, "{\"type\":\"urn:sidewinder:problem:cancelled\"}", false)]
    public async Task CannotHaveRun_Response_RetriesOnlyJobsThatNeverStarted(int status, string body, bool expected)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") };

        Assert.Equal(expected, await SafeRetry.CannotHaveRunAsync(Outcome.FromResult(response), TimeSpan.FromSeconds(30), default));
    }

    [Fact]
    public async Task CannotHaveRun_RetryAfterBeyondTheMaximum_IsNotWaitedFor()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMinutes(10));

        Assert.False(await SafeRetry.CannotHaveRunAsync(Outcome.FromResult(response), TimeSpan.FromSeconds(30), default));
    }

    [Fact]
    public async Task EvalAsync_NothingListening_RetriesThenThrowsTheConnectionError()
    {
        var services = new ServiceCollection();
        var attempts = 0;
        services.AddSidewinderClient(o =>
            {
                o.BaseAddress = new Uri($"http://127.0.0.1:{Ports.FreeLoopbackPort()}");
                o.MaxRetryAttempts = 2;
                o.RetryDelay = TimeSpan.FromMilliseconds(10);
            })
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)));
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ISidewinderClient>();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.EvalAsync(new EvalRequest("1")));

        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Equal(3, attempts);
    }

    /// <summary>Counts the attempts the resilience handler makes (it sits outside this handler).</summary>
    private sealed class CountingHandler(Action onSend) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
