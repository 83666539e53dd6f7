using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sidewinder.Tests;
using Sidewinder.Workers;

namespace Sidewinder.Api.Tests.Status;

[Collection(ApiTests.Name)]
public sealed class StatusTests(DefaultApi api)
{
    [Fact]
    public async Task Info_ReportsTheRuntimeUnderTest()
    {
        var info = await api.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/info");

        var python = info.GetProperty("python");
        var runtime = ApiFactory.Runtime;
        Assert.Equal(runtime.Info.Version.ToString(), python.Str("version"));
        Assert.Equal(runtime.Info.IsFreeThreaded ? "free-threaded" : "gil", python.Str("build"));
        Assert.Equal(runtime.IsGilEnabled, python.GetProperty("gilEnabled").GetBoolean());
        Assert.Equal(runtime.Info.Description, python.Str("description"));
        Assert.Equal(runtime.Info.Installation.Name, python.Str("runtime"));
        if (RequestedRuntime.Minor is { } minor)
        {
            // ./test.sh runs on provisioned runtimes: /info names the manifest and the build's source.
            Assert.Equal(RequestedRuntime.Name, python.Str("manifest"));
            Assert.Equal(RequestedRuntime.Name, python.Str("runtime"));
            Assert.StartsWith($"3.{minor}.", python.Str("description"), StringComparison.Ordinal);
            Assert.EndsWith(RequestedRuntime.FreeThreaded ? " free-threaded" : " GIL", python.Str("description"), StringComparison.Ordinal);
            // Manifests written before the source was recorded have none (null is left out of the JSON).
            if (python.TryGetProperty("source", out var source))
            {
                Assert.Contains($"python3.{minor}", source.GetString(), StringComparison.Ordinal);
            }
        }
        if (RequestedRuntime.FreeThreaded)
        {
            Assert.Equal("free-threaded", python.Str("build"));
            Assert.False(python.GetProperty("gilEnabled").GetBoolean());
        }
        // The test host's own GC mode (the shipped default is checked on the real process by RunCommandSmokeTests).
        var host = info.GetProperty("host");
        Assert.Equal(Environment.Version.ToString(), host.Str("dotnet"));
        Assert.Equal(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation", host.Str("gc"));
    }

    [Fact]
    public async Task Info_ReportsWorkersAndEveryLimit()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Workers:QueueCapacity"] = "17",
            ["Workers:MaxTimeout"] = "00:01:00",
            ["Limits:MaxCodeChars"] = "1234",
            ["Limits:RateLimitPermitsPerSecond"] = "55",
        });

        var info = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/info");

        Assert.Equal(4, info.GetProperty("workers").GetProperty("count").GetInt32());
        Assert.Equal(17, info.GetProperty("workers").GetProperty("queueCapacity").GetInt32());
        var limits = info.GetProperty("limits");
        Assert.Equal(60_000, limits.GetProperty("maxTimeoutMs").GetInt64());
        Assert.Equal(30_000, limits.GetProperty("defaultTimeoutMs").GetInt64());
        Assert.Equal(1234, limits.GetProperty("maxCodeChars").GetInt32());
        Assert.Equal(55, limits.GetProperty("rateLimitPermitsPerSecond").GetInt32());
        Assert.Equal(1024 * 1024, limits.GetProperty("maxRequestBodyBytes").GetInt64());
        Assert.Equal("anonymous-loopback-only", info.GetProperty("auth").Str("mode"));
    }

    [Fact]
    public async Task Info_WhileAJobHoldsTheGilInC_AnswersBeforeTheJobEnds()
    {
        // ctypes.PyDLL calls keep the GIL: on a GIL build nothing else runs Python for those 5 s. /info once attached
        // from the request thread and waited for them; it reads what the workers recorded instead.
        var client = api.Factory.CreateClient();
        var marker = Path.Combine(Path.GetTempPath(), "sidewinder-gil-" + Guid.NewGuid().ToString("N"));
        var job = client.PostJsonAsync("/run", new
        {
            code = $"import ctypes\nsleep = ctypes.PyDLL(None).sleep\nopen({JsonSerializer.Serialize(marker)}, 'w').close()\nsleep(5)",
            timeoutMs = 30_000,
        });
        await Wait.UntilAsync(() => File.Exists(marker) || job.IsCompleted, "the job to reach its C call");
        File.Delete(marker);

        var info = await client.GetAsync("/info");
        var jobEndedFirst = job.IsCompleted;

        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        Assert.False(jobEndedFirst, "/info waited for the job that holds the GIL");
        Assert.Equal(HttpStatusCode.OK, (await job).StatusCode);
    }

    [Fact]
    public async Task HealthLive_Returns200Alive()
    {
        var response = await api.Factory.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alive", (await response.JsonAsync()).Str("status"));
    }

    [Fact]
    public async Task HealthReady_WorkerStuckAndNotReplaced_SaysDegradedUntilItReturns()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Workers:WorkerCount"] = "2",
            ["Workers:MaxQuarantinedWorkers"] = "0",
            ["Workers:InterruptGracePeriod"] = "00:00:00.100",
        });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        var before = await client.GetAsync("/health/ready");

        // Blocks in C (a lock wait) past its deadline until the test sets the event through the other worker.
        var gate = "gate_" + Guid.NewGuid().ToString("N");
        var stuck = await client.PostJsonAsync("/run", new
        {
            code = $"import sys, types, threading\nshared = sys.modules.setdefault('sidewinder_test_shared', types.ModuleType('s'))\ngate = shared.{gate} = threading.Event()\ngate.wait(60)",
            timeoutMs = 3000,
        });
        await Wait.UntilAsync(() => pool.Status.QuarantinedWorkers == 1, "the stuck worker to be quarantined");
        var degraded = await client.GetAsync("/health/ready");
        var served = await client.PostJsonAsync("/eval", new { code = $"__import__('sys').modules['sidewinder_test_shared'].{gate}.set()" });
        await Wait.UntilAsync(() => pool.Status is { QuarantinedWorkers: 0, Workers: 2 }, "the stuck thread to return and be replaced");
        var after = await client.GetAsync("/health/ready");

        Assert.Equal("ready", (await before.JsonAsync()).Str("status"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, stuck.StatusCode);
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        var report = await degraded.JsonAsync();
        Assert.Equal("degraded", report.Str("status"));
        Assert.Contains("1 of 2 workers", report.Str("reason"), StringComparison.Ordinal);
        Assert.Contains("Workers:MaxQuarantinedWorkers", report.Str("reason"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("ready", (await after.JsonAsync()).Str("status"));
    }

    [Fact]
    public async Task HealthReady_FreeThreadedSubInterpreterWorkerStuck_SaysTheReplacementWaitsForIt()
    {
        if (!RequestedRuntime.FreeThreaded)
        {
            return; // only free-threaded builds postpone the replacement (creating a sub-interpreter stops every thread)
        }
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Workers:Isolation"] = "Interpreter",
            ["Workers:WorkerCount"] = "2",
            ["Workers:InterruptGracePeriod"] = "00:00:00.100",
        });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();

        var stuck = await client.PostJsonAsync("/run", new { code = "import ctypes\nctypes.PyDLL(None).sleep(3)", timeoutMs = 300 });
        await Wait.UntilAsync(() => pool.Status is { QuarantinedWorkers: 1, Workers: 1 }, "the stuck worker to be counted");
        var degraded = await (await client.GetAsync("/health/ready")).JsonAsync();
        var served = await client.PostJsonAsync("/eval", new { code = "1 + 1" });
        await Wait.UntilAsync(() => pool.Status is { QuarantinedWorkers: 0, Workers: 2 }, "the stuck thread to return and be replaced", 30);

        Assert.Equal(HttpStatusCode.GatewayTimeout, stuck.StatusCode);
        Assert.Equal("degraded", degraded.Str("status"));
        Assert.Contains("1 of 2 workers", degraded.Str("reason"), StringComparison.Ordinal);
        Assert.Contains("replacements start once they return", degraded.Str("reason"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode); // the other worker serves meanwhile
    }

    [Fact]
    public async Task HealthReady_AfterPoolShutdown_Returns503ButLiveStays200()
    {
        using var factory = new ApiFactory();
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        await factory.Services.GetRequiredService<WorkerPool>().ShutdownAsync();
        var ready = await client.GetAsync("/health/ready");
        var eval = await client.PostJsonAsync("/eval", new { code = "1" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("unavailable", (await ready.JsonAsync()).Str("status"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, eval.StatusCode);
        Assert.Equal("sidewinder.ShuttingDown", (await eval.JsonAsync()).GetProperty("error").Str("type"));
    }
}
