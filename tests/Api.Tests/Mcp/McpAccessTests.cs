using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using Sidewinder.Workers;

namespace Sidewinder.Api.Tests.Mcp;

/// <summary>The MCP endpoint has the HTTP endpoints' keys, per-key permissions, rate limit and cancellation.</summary>
[Collection(ApiTests.Name)]
public sealed class McpAccessTests : IDisposable
{
    private const string FullKey = "mcp-full-key-0123456789";
    private const string EvalKey = "mcp-eval-key-0123456789";
    private const string InfoKey = "mcp-info-key-0123456789";

    private readonly ApiFactory _factory = new(new Dictionary<string, string?>
    {
        ["Auth:ApiKeys:0:Name"] = "agent",
        ["Auth:ApiKeys:0:Key"] = FullKey,
        ["Auth:ApiKeys:1:Name"] = "evaluator",
        ["Auth:ApiKeys:1:Key"] = EvalKey,
        ["Auth:ApiKeys:1:Endpoints:0"] = "eval",
        ["Auth:ApiKeys:2:Name"] = "dashboard",
        ["Auth:ApiKeys:2:Key"] = InfoKey,
        ["Auth:ApiKeys:2:Endpoints:0"] = "info",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Connect_KeysConfiguredWithoutKey_IsRefusedWith401()
    {
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => McpConnections.ConnectAsync(_factory));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Connect_KeyWithoutAnyExecutionEndpoint_IsRefusedWith403()
    {
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => McpConnections.ConnectAsync(_factory, InfoKey));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task Mcp_Disabled_IsNotServed()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Mcp:Enabled"] = "false" });

        var response = await factory.CreateClient().PostJsonAsync("/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ListTools_FullKey_ListsEveryTool()
    {
        await using var client = await McpConnections.ConnectAsync(_factory, FullKey);

        var tools = await client.ListToolsAsync();

        Assert.Equal(10, tools.Count); // python_eval, _run, _call and the seven session tools
    }

    [Fact]
    public async Task ListTools_EvalOnlyKey_ListsOnlyPythonEval()
    {
        await using var client = await McpConnections.ConnectAsync(_factory, EvalKey);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["python_eval"], tools.Select(t => t.Name));
    }

    [Fact]
    public async Task PythonRun_EvalOnlyKey_IsRefusedAndRunsNothing()
    {
        var marker = Path.Combine(Path.GetTempPath(), "sidewinder-mcp-" + Guid.NewGuid().ToString("N"));
        await using var client = await McpConnections.ConnectAsync(_factory, EvalKey);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("python_run",
            new Dictionary<string, object?> { ["code"] = $"open({System.Text.Json.JsonSerializer.Serialize(marker)}, 'w').close()" }).AsTask());

        Assert.Contains("Access forbidden", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
        var allowed = await client.CallToolAsync("python_eval", new Dictionary<string, object?> { ["code"] = "2 + 2" });
        Assert.Equal(4, allowed.StructuredContent!.Value.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task PythonEval_OverTheRateLimit_IsRejectedLikeHttp()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Limits:RateLimitPermitsPerSecond"] = "1",
            ["Limits:RateLimitBurst"] = "3",
        });
        // Each MCP message is one HTTP request: initialize and its notification use two tokens of the burst.
        await using var client = await McpConnections.ConnectAsync(factory);

        var results = new List<Exception?>();
        for (var i = 0; i < 4; i++)
        {
            try
            {
                await client.CallToolAsync("python_eval", new Dictionary<string, object?> { ["code"] = "1" });
                results.Add(null);
            }
            catch (HttpRequestException ex)
            {
                results.Add(ex);
            }
        }

        var rejected = Assert.IsType<HttpRequestException>(results.First(r => r is not null));
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
    }

    [Fact]
    public async Task PythonEval_QueueFull_IsAToolErrorSayingSo()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1", ["Workers:QueueCapacity"] = "1" });
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        var http = factory.CreateClient();
        using var gate = new FileGate();
        var running = http.PostJsonAsync("/run", new { code = gate.WaitCode });
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 1);
        var queued = http.PostJsonAsync("/run", new { code = gate.WaitCode });
        await Poll.UntilAsync(() => pool.Status.QueuedJobs == 1);
        await using var client = await McpConnections.ConnectAsync(factory);

        var result = await client.CallToolAsync("python_eval", new Dictionary<string, object?> { ["code"] = "1" });
        gate.Open();
        await running;
        await queued;

        Assert.True(result.IsError);
        Assert.Equal("rejected", result.StructuredContent!.Value.Str("outcome"));
        Assert.Equal("sidewinder.QueueFull", result.StructuredContent!.Value.GetProperty("error").Str("type"));
        Assert.Contains("queue is full", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonRun_CallerCancels_JobIsInterrupted()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1" });
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        await using var client = await McpConnections.ConnectAsync(factory);
        using var cancel = new CancellationTokenSource();

        var call = client.CallToolAsync("python_run", new Dictionary<string, object?>
        {
            ["code"] = "while True:\n    pass",
            ["timeoutMs"] = 60_000,
        }, cancellationToken: cancel.Token).AsTask();
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 1);
        await cancel.CancelAsync();

        // The SDK's client either reports the cancellation or the aborted HTTP request (in-process: status 499).
        var error = await Assert.ThrowsAnyAsync<Exception>(() => call);
        Assert.True(error is OperationCanceledException or HttpRequestException, error.ToString());
        // Free again long before the 60 s deadline.
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 0);
        await Poll.UntilAsync(() => factory.Logs.Entries.Any(e => e.EventName == "RequestCompleted" && Equals(e.Properties["Outcome"], "cancelled")));
    }
}
