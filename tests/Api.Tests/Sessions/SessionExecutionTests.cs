using System.Net;
using System.Text.Json;
using Sidewinder.Tests;

namespace Sidewinder.Api.Tests.Sessions;

[Collection(ApiTests.Name)]
public sealed class SessionExecutionTests(DefaultApi api)
{
    private readonly HttpClient _client = api.Factory.CreateClient();

    [Fact]
    public async Task RunEvalCall_InOneSession_SeeEachOthersGlobals()
    {
        var id = await _client.CreateSessionAsync();

        await _client.RunOkAsync(id, "import math\nr = 2\ndef area(x):\n    return math.pi * x * x");
        var root = await _client.EvalValueAsync(id, "math.sqrt(r)");
        var call = await _client.PostJsonAsync($"/sessions/{id}/call", new { module = "__main__", function = "area", args = new[] { 2 } });

        Assert.Equal(Math.Sqrt(2), root.GetDouble(), 12);
        var body = await call.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        Assert.Equal(Math.PI * 4, body.GetProperty("value").GetDouble(), 12);
    }

    [Fact]
    public async Task Run_InASessionWithEventStream_StreamsOutputAndSeesTheSessionsState()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "x = 20");

        await using var stream = await Streaming.EventStreamClient.PostAsync(_client, $"/sessions/{id}/run", new { code = "print(x)\nx = x + 1\nx * 2" });
        var events = await stream.RestAsync();

        Assert.Equal(["stdout", "result"], events.Select(e => e.Type));
        Assert.Equal("20\n", events[0].Data.Str("text"));
        Assert.Equal(42, events[1].Data.GetProperty("value").GetInt32());
        Assert.Equal(21, (await _client.EvalValueAsync(id, "x")).GetInt32());
    }

    [Fact]
    public async Task Create_WithVariables_BindsThemInTheSession()
    {
        var id = await _client.CreateSessionAsync(new { variables = new { prices = new[] { 2, 3 } } });

        Assert.Equal(5, (await _client.EvalValueAsync(id, "sum(prices)")).GetInt32());
    }

    [Fact]
    public async Task Create_WithInvalidVariableName_Returns400AndKeepsNoSession()
    {
        var before = (await (await _client.GetAsync("/sessions")).JsonAsync()).GetProperty("sessions").GetArrayLength();

        var response = await _client.PostJsonAsync("/sessions", new { variables = new Dictionary<string, int> { ["1x"] = 1 } });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", body.Str("type"));
        Assert.Equal(before, (await (await _client.GetAsync("/sessions")).JsonAsync()).GetProperty("sessions").GetArrayLength());
    }

    [Fact]
    public async Task Run_FinalExpression_IsBoundToUnderscore()
    {
        var id = await _client.CreateSessionAsync();

        await _client.RunOkAsync(id, "6 * 7");

        Assert.Equal(42, (await _client.EvalValueAsync(id, "_")).GetInt32());
    }

    [Fact]
    public async Task TwoSessions_SameNames_SeeOnlyTheirOwnValues()
    {
        var first = await _client.CreateSessionAsync();
        var second = await _client.CreateSessionAsync();

        await Task.WhenAll(_client.RunOkAsync(first, "owner = 'first'"), _client.RunOkAsync(second, "owner = 'second'"));

        Assert.Equal("first", (await _client.EvalValueAsync(first, "owner")).GetString());
        Assert.Equal("second", (await _client.EvalValueAsync(second, "owner")).GetString());
        Assert.False((await (await _client.PostJsonAsync("/eval", new { code = "'owner' in globals()" })).JsonAsync()).GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task TwoSessions_CpuBoundCells_RunAtTheSameTime()
    {
        // A barrier through files: each cell announces itself, then spins (in bytecode, holding a worker) until the other
        // cell has announced itself too. Run one after the other, the first would give up after 30 s and return False.
        var first = await _client.CreateSessionAsync();
        var second = await _client.CreateSessionAsync();
        var mark = Path.Combine(Path.GetTempPath(), "sidewinder-barrier-" + Guid.NewGuid().ToString("N"));
        string Cell(string me, string other) =>
            "import os, time\n" +
            $"open({JsonSerializer.Serialize(mark + me)}, 'w').close()\n" +
            "end = time.monotonic() + 30\nspins = 0\n" +
            $"while not os.path.exists({JsonSerializer.Serialize(mark + other)}) and time.monotonic() < end:\n    spins += 1\n" +
            $"os.path.exists({JsonSerializer.Serialize(mark + other)})";
        try
        {
            var results = await Task.WhenAll(_client.RunOkAsync(first, Cell("a", "b")), _client.RunOkAsync(second, Cell("b", "a")));

            Assert.All(results, r => Assert.True(r.GetProperty("value").GetBoolean()));
        }
        finally
        {
            File.Delete(mark + "a");
            File.Delete(mark + "b");
        }
    }

    [Fact]
    public async Task SecondRequest_WhileFirstRuns_WaitsAndRunsAfterIt()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "order = []");
        using var gate = new FileGate();

        var first = _client.RunOkAsync(id, "order.append('first started')\n" + gate.WaitCode + "order.append('first ended')");
        await _client.UntilStateAsync(id, "busy");
        var second = _client.RunOkAsync(id, "order.append('second')");
        await _client.UntilStateAsync(id, "busy", queued: 1);
        gate.Open();
        await Task.WhenAll(first, second);

        var order = await _client.EvalValueAsync(id, "order");
        Assert.Equal(["first started", "first ended", "second"], order.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task QueuedRequest_DeadlinePassesWhileWaiting_Returns504WithoutRunning()
    {
        var id = await _client.CreateSessionAsync();
        using var gate = new FileGate();
        var first = _client.RunOkAsync(id, gate.WaitCode);
        await _client.UntilStateAsync(id, "busy");

        var second = await _client.PostJsonAsync($"/sessions/{id}/run", new { code = "ran = True", timeoutMs = 200 });
        gate.Open();
        await first;

        var body = await second.JsonAsync();
        Assert.Equal(HttpStatusCode.GatewayTimeout, second.StatusCode);
        Assert.Equal("timeout", body.Str("outcome"));
        Assert.False((await _client.EvalValueAsync(id, "'ran' in globals()")).GetBoolean());
    }

    [Fact]
    public async Task Interrupt_RunningLoop_Returns409WithOutputAndKeepsState()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "kept = 41");

        // "busy" is reported as soon as the request is the session's; the marker says the code itself got this far.
        using var started = new FileGate();
        var running = _client.PostJsonAsync($"/sessions/{id}/run", new { code = "print('before')\nkept += 1\n" + started.OpenCode + "while True:\n    pass" });
        await Poll.UntilAsync(() => started.IsOpen);
        var interrupt = await _client.PostAsync($"/sessions/{id}/interrupt", null);
        var response = await running;

        Assert.True((await interrupt.JsonAsync()).GetProperty("interrupted").GetBoolean());
        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:interrupted", body.Str("type"));
        Assert.Equal("before\n", body.Str("stdout"));
        Assert.Equal(42, (await _client.EvalValueAsync(id, "kept")).GetInt32());
    }

    [Fact]
    public async Task Interrupt_IdleSession_ReportsNothingInterrupted()
    {
        var id = await _client.CreateSessionAsync();

        var response = await _client.PostAsync($"/sessions/{id}/interrupt", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await response.JsonAsync()).GetProperty("interrupted").GetBoolean());
    }

    [Fact]
    public async Task MemoryError_InASession_KeepsTheSessionAndItsState()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "kept = 5");

        var response = await _client.PostJsonAsync($"/sessions/{id}/run", new { code = "huge = bytearray(1 << 50)" });

        Assert.Equal("MemoryError", (await response.JsonAsync()).GetProperty("error").Str("type"));
        Assert.Equal(5, (await _client.EvalValueAsync(id, "kept")).GetInt32());
    }

    [Fact]
    public async Task Builtins_ChangedInOneSession_AreRestoredForAnother()
    {
        var first = await _client.CreateSessionAsync();
        var second = await _client.CreateSessionAsync();

        await _client.RunOkAsync(first, "import builtins\nbuiltins.len = lambda x: -1");

        Assert.Equal(3, (await _client.EvalValueAsync(second, "len('abc')")).GetInt32());
    }
}
