using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sidewinder.Tests;

namespace Sidewinder.Api.Tests.Process;

/// <summary>Starts the real service with the README's run command (<c>./run.sh</c>, <c>./run.sh --free-threaded</c> on
/// 3.14t, <c>./run.sh --python NAME</c> on the other runtimes), calls every endpoint over a real socket, and stops it with SIGTERM.</summary>
[Collection(ApiTests.Name)]
public sealed class RunCommandSmokeTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public async Task RunCommand_ServesEveryEndpointAndStopsCleanlyOnSigterm()
    {
        var port = Ports.FreeLoopbackPort();
        // The README's spellings: no option for the default, --free-threaded for 3.14t, --python NAME for the others.
        string[] options = RequestedRuntime.Name switch
        {
            "default" => [],
            "3.14t" => ["--free-threaded"],
            var name => ["--python", name],
        };
        using var service = Start("bash", ["run.sh", .. options],
            new() { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await WaitUntilReadyAsync(client, service);
        var info = await client.GetFromJsonAsync<JsonElement>("/info");
        var eval = await client.PostAsJsonAsync("/eval", new { code = "sum(range(10))" });
        var run = await client.PostAsJsonAsync("/run", new { code = "print('hello')" });
        var call = await client.PostAsJsonAsync("/call", new { module = "example", function = "greet", args = new[] { "Ada" } });
        var live = await client.GetAsync("/health/live");
        var swagger = await client.GetAsync("/swagger/index.html");
        var exitCode = await StopAsync(service);

        Assert.Equal(RequestedRuntime.FreeThreaded ? "free-threaded" : "gil", info.GetProperty("python").Str("build"));
        if (RequestedRuntime.Minor is not null)
        {
            Assert.Equal(RequestedRuntime.Name, info.GetProperty("python").Str("manifest"));
        }
        Assert.Equal("workstation", info.GetProperty("host").Str("gc")); // the shipped default (docs/performance.md, "Soak")
        Assert.Equal(45, (await eval.JsonAsync()).GetProperty("value").GetInt32());
        Assert.Equal("hello\n", (await run.JsonAsync()).Str("stdout"));
        Assert.Equal("Hello, Ada!", (await call.JsonAsync()).Str("value"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{service.Output}");
        Assert.Contains("Worker pool shutting down", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_KeysFromEnvironment_AreInvisibleToPythonAndSigalrmIsHarmless()
    {
        var dll = Path.Combine(RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "Sidewinder.Api.dll");
        var port = Ports.FreeLoopbackPort();
        const string Secret = "sidewinder-test-secret-4f1d";
        using var service = Start("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], new()
        {
            ["Auth__ApiKeys__0__Key"] = Secret,
            ["Auth__ApiKeys__1__Key"] = Secret + "-other",
            ["Auth__ApiKeys__1__Endpoints__0"] = "eval",
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Secret);

        await WaitUntilReadyAsync(client, service);
        var environ = await client.PostAsJsonAsync("/eval", new
        {
            code = "[k for k in __import__('os').environ if k.lower().startswith('auth')] + " +
                "[open('/proc/self/environ', 'rb').read().count(b'sidewinder-test-secret')]",
        });
        // SIGALRM's default action ends the process; signal.alarm(1) in a job must not take the service down.
        var alarm = await client.PostAsJsonAsync("/run", new { code = "import signal, time\nsignal.alarm(1)\ntime.sleep(1.5)\n'alive'" });
        var after = await client.PostAsJsonAsync("/eval", new { code = "1 + 1" });
        await StopAsync(service);

        Assert.Equal("[0]", (await environ.JsonAsync()).GetProperty("value").GetRawText());
        Assert.Equal("alive", (await alarm.JsonAsync()).Str("value"));
        Assert.Equal(2, (await after.JsonAsync()).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Service_MemoryCeiling_AllocationsPastItAreMemoryErrorsAndTheServiceStaysUp()
    {
        // Its own process: the ceiling is read when libpython is loaded, once per process. 256 MiB is far below this
        // machine's memory, so without the ceiling the 400 MiB below would simply succeed (nothing is at risk).
        var dll = Path.Combine(RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "Sidewinder.Api.dll");
        var port = Ports.FreeLoopbackPort();
        using var service = Start("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], new() { ["Python__MemoryLimitMiB"] = "256" });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await WaitUntilReadyAsync(client, service);
        var info = (await client.GetFromJsonAsync<JsonElement>("/info")).GetProperty("python");
        // Larger than any machine: on 3.13t without the ceiling this one grew the process until the OOM killer ended it.
        var bomb = await client.PostAsJsonAsync("/run", new { code = "s = 'x' * 10**13" });
        // Many allocations that together pass the ceiling (a free-threaded build counts the total).
        var many = RequestedRuntime.FreeThreaded
            ? await client.PostAsJsonAsync("/run", new { code = "keep = [bytes(2**20) for _ in range(400)]" })
            : null;
        // Small: memory one worker freed is not at once reusable by another (mimalloc keeps freed pages with the thread's
        // heap for a while), so right after a job hit a 256 MiB ceiling another may find less than that free.
        var after = await client.PostAsJsonAsync("/run", new { code = "keep = [bytes(2**20) for _ in range(10)]\nlen(keep)" });
        await StopAsync(service);

        Assert.Equal("MemoryError", (await bomb.JsonAsync()).GetProperty("error").Str("type"));
        if (RequestedRuntime.FreeThreaded)
        {
            Assert.Equal(256, info.GetProperty("memoryLimitMiB").GetInt64());
            Assert.Equal("MemoryError", (await many!.JsonAsync()).GetProperty("error").Str("type"));
        }
        else
        {
            Assert.False(info.TryGetProperty("memoryLimitMiB", out _), "GIL builds report no ceiling");
        }
        Assert.Equal(10, (await after.JsonAsync()).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Service_InterpreterIsolation_RunsJobsInSubInterpretersOrRefusesOn311()
    {
        var dll = Path.Combine(RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "Sidewinder.Api.dll");
        var port = Ports.FreeLoopbackPort();
        using var service = Start("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], new() { ["Workers__Isolation"] = "Interpreter" });
        if (RequestedRuntime.Minor is null or < 12)
        {
            // The default runtime is 3.11: no per-interpreter GIL, so the setting is refused at start with the reason.
            Assert.True(await Task.Run(() => service.Process.WaitForExit(60_000)), "the service started with Isolation=Interpreter on 3.11");
            service.Process.WaitForExit();
            Assert.NotEqual(0, service.Process.ExitCode);
            Assert.Contains("Workers:Isolation=Interpreter", service.Output, StringComparison.Ordinal);
            Assert.Contains("3.12", service.Output, StringComparison.Ordinal);
            return;
        }
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitUntilReadyAsync(client, service);
        var workers = (await client.GetFromJsonAsync<JsonElement>("/info")).GetProperty("workers");
        var run = await client.PostAsJsonAsync("/run", new { code = "import _interpreters\n_interpreters.get_current()[0]" });
        var session = await client.PostAsJsonAsync("/sessions", new { });
        var sessionId = (await session.JsonAsync()).Str("id");
        var cell = await client.PostAsJsonAsync($"/sessions/{sessionId}/run", new { code = "import _interpreters\n_interpreters.get_current()[0]" });
        var exitCode = await StopAsync(service);

        Assert.Equal("interpreter", workers.Str("isolation"));
        Assert.True(workers.GetProperty("parallel").GetBoolean());
        Assert.NotEqual(0, (await run.JsonAsync()).GetProperty("value").GetInt64()); // a worker's own sub-interpreter
        Assert.Equal(0, (await cell.JsonAsync()).GetProperty("value").GetInt64()); // sessions stay in the main interpreter
        Assert.Equal(0, exitCode); // the workers' interpreters ended before the main one was finalised
    }

    [Fact]
    public async Task Service_NonLoopbackAddressWithoutKeys_RefusesToStartAndSaysWhyInJsonLogs()
    {
        var dll = Path.Combine(RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "Sidewinder.Api.dll");
        using var service = Start("dotnet", [dll, "--urls", $"http://0.0.0.0:{Ports.FreeLoopbackPort()}"], new() { ["Logging__Format"] = "json" });

        var exited = await Task.Run(() => service.Process.WaitForExit(60_000));

        Assert.True(exited, "the service kept running on 0.0.0.0 without keys\n" + service.Output);
        service.Process.WaitForExit(); // without a timeout it also waits until the redirected output is read to the end
        Assert.Equal(1, service.Process.ExitCode);
        Assert.Contains("Refusing to serve", service.Output, StringComparison.Ordinal);
        Assert.Contains("Auth__ApiKeys__0__Key", service.Output, StringComparison.Ordinal);
        // Logging:Format=json: every log line is a JSON object in Serilog's compact format (@t timestamp, @mt template).
        var logLines = service.Output.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(logLines);
        Assert.All(logLines, l => Assert.True(JsonDocument.Parse(l).RootElement.TryGetProperty("@t", out _), l));
        Assert.All(logLines, l => Assert.True(JsonDocument.Parse(l).RootElement.TryGetProperty("@mt", out _), l));
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, RunningService service)
    {
        // The first run may provision Python and build; later ones start in a few seconds.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (service.Process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"The service exited with {service.Process.ExitCode}:\n{service.Output}");
            }
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException("The service did not become ready:\n" + service.Output);
    }

    private static async Task<int> StopAsync(RunningService service)
    {
        // run.sh execs the service, so its process id is the service's.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", service.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await service.Process.WaitForExitAsync(timeout.Token);
        return service.Process.ExitCode;
    }

    private static RunningService Start(string fileName, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var output = new StringBuilder();
        var process = new System.Diagnostics.Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RunningService(process, output);
    }


    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "run.sh")) && File.Exists(Path.Combine(directory.FullName, "Sidewinder.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (with run.sh) was not found above " + AppContext.BaseDirectory);
    }

    private sealed class RunningService(System.Diagnostics.Process process, StringBuilder output) : IDisposable
    {
        public System.Diagnostics.Process Process { get; } = process;

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
            Process.Dispose();
        }
    }
}
