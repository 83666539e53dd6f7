using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sidewinder.Tests;
using Sidewinder.Workers;

namespace Sidewinder.Api.Tests.Streaming;

[Collection(ApiTests.Name)]
public sealed class EventStreamTests(DefaultApi api)
{
    [Fact]
    public async Task Run_EventStream_EventsInOrderThenResultEqualToPlainResponse()
    {
        var client = api.Factory.CreateClient();
        const string code = "import sys, logging\nprint('out')\nsys.stderr.write('err\\n')\nlogging.warning('careful %d', 3)\n" +
            "display({'a': 1}, raw=False)\n6 * 7";

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code });
        var events = await stream.RestAsync();

        Assert.Equal(["stdout", "stderr", "log", "display", "result"], events.Select(e => e.Type));
        Assert.Equal("out\n", events[0].Data.Str("text"));
        Assert.Equal("err\n", events[1].Data.Str("text"));
        Assert.Equal("WARNING", events[2].Data.Str("level"));
        Assert.Equal(30, events[2].Data.GetProperty("levelNo").GetInt32());
        Assert.Equal("careful 3", events[2].Data.Str("message"));
        Assert.Equal("{'a': 1}", events[3].Data.GetProperty("data").Str("text/plain"));
        var result = events[4].Data;
        Assert.Equal("ok", result.Str("outcome"));
        Assert.Equal(42, result.GetProperty("value").GetInt32());
        Assert.False(result.GetProperty("streamTruncated").GetBoolean());

        var plain = await (await client.PostJsonAsync("/run", new { code })).JsonAsync();
        Assert.False(plain.TryGetProperty("streamTruncated", out _));
        foreach (var field in (string[])["outcome", "value", "valueType", "stdout", "stderr", "outputs", "outputsTruncated"])
        {
            Assert.Equal(plain.GetProperty(field).GetRawText(), result.GetProperty(field).GetRawText());
        }
    }

    [Fact]
    public async Task Run_EventStream_LinesArriveWhileTheJobStillRuns()
    {
        var client = api.Factory.CreateClient();
        using var gate = new FileGate();

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "print('first', flush=True)\n" + gate.WaitCode + "print('second')" });
        var first = await stream.NextAsync();

        Assert.False(gate.IsOpen); // the job is still waiting: the line came while it ran
        Assert.Equal(("stdout", "first\n"), (first!.Value.Type, first.Value.Data.Str("text")));
        gate.Open();
        var rest = await stream.RestAsync();
        Assert.Equal(["stdout", "result"], rest.Select(e => e.Type));
        Assert.Equal("second\n", rest[0].Data.Str("text"));
    }

    [Fact]
    public async Task Run_EventStream_OneEventPerLineAndAnUnfinishedLineOnFlush()
    {
        var client = api.Factory.CreateClient();
        using var gate = new FileGate();

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new
        {
            code = "import sys\nfor i in range(3):\n    print('line', i)\nsys.stdout.write('no newline yet')\nsys.stdout.flush()\n" + gate.WaitCode + "print(' - done')",
        });
        const string expected = "line 0\nline 1\nline 2\nno newline yet";
        var first = new List<string>();
        while (string.Concat(first).Length < expected.Length)
        {
            first.Add((await stream.NextAsync())!.Value.Data.Str("text"));
        }

        Assert.False(gate.IsOpen); // the unfinished line came at flush(), while the job waits
        Assert.Equal(expected, string.Concat(first));
        // Lines arrive whole (print writes the text and the newline separately), or merged when the reader is behind.
        Assert.All(first[..^1], t => Assert.EndsWith("\n", t, StringComparison.Ordinal));
        gate.Open();
        var rest = await stream.RestAsync();
        Assert.Equal(" - done\n", rest[0].Data.Str("text"));
    }

    [Fact]
    public async Task Run_EventStream_OutputThenPythonError_ErrorEventIsTheProblem()
    {
        var client = api.Factory.CreateClient();

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "print('partial')\n1 / 0" });
        var events = await stream.RestAsync();

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal(["stdout", "error"], events.Select(e => e.Type));
        var problem = events[1].Data;
        Assert.Equal("error", problem.Str("outcome"));
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        Assert.Equal("ZeroDivisionError", problem.GetProperty("error").Str("type"));
        Assert.Equal("partial\n", problem.Str("stdout"));
    }

    [Fact]
    public async Task Run_EventStream_OutputThenTimeout_ErrorEventSaysTimeout()
    {
        var client = api.Factory.CreateClient();

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "print('before')\nwhile True:\n    pass", timeoutMs = 300 });
        var events = await stream.RestAsync();

        Assert.Equal(["stdout", "error"], events.Select(e => e.Type));
        Assert.Equal("timeout", events[1].Data.Str("outcome"));
        Assert.Equal(504, events[1].Data.GetProperty("status").GetInt32());
        Assert.Equal("before\n", events[1].Data.Str("stdout"));
    }

    [Fact]
    public async Task Run_EventStreamClientDisconnects_JobIsCancelled()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1" });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        using var disconnect = new CancellationTokenSource();

        var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "print('running', flush=True)\nwhile True:\n    pass", timeoutMs = 60000 }, disconnect.Token);
        Assert.Equal("stdout", (await stream.NextAsync())!.Value.Type);
        await disconnect.CancelAsync();
        await stream.DisposeAsync();

        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 0); // long before the 60 s deadline
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync("/eval", new { code = "1" })).StatusCode);
        await Poll.UntilAsync(() => factory.Logs.Entries.Any(e => e.EventName == "RequestCompleted" && Equals(e.Properties["Outcome"], "cancelled")));
    }

    [Fact]
    public async Task Run_EventStreamReaderNeverReads_WorkerFinishesOtherJobs()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1", ["Streaming:BufferChars"] = "4096" });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();

        // 20,000 lines of 50 characters: far more than the buffer and the transport hold while nobody reads.
        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "for i in range(20000):\n    print('x' * 49)" });
        var next = await client.PostJsonAsync("/eval", new { code = "'done'" }); // the only worker must be free for this

        Assert.Equal("done", (await next.JsonAsync()).Str("value"));
        var events = await stream.RestAsync();
        var result = events[^1].Data;
        Assert.Equal("result", events[^1].Type);
        Assert.True(result.GetProperty("streamTruncated").GetBoolean());
        Assert.Equal(20000 * 50, result.Str("stdout").Length); // the final event has all of it
        Assert.True(events.Count(e => e.Type == "stdout") < 20000);
        Assert.Equal(0, pool.Status.BusyWorkers);
    }

    [Fact]
    public async Task Run_EventStreamPastMaxOutputChars_StreamStopsAtTheCap()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:MaxOutputChars"] = "100" });
        var client = factory.CreateClient();

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "for i in range(100):\n    print('0123456789')" });
        var events = await stream.RestAsync();

        Assert.Equal(100, events.Where(e => e.Type == "stdout").Sum(e => e.Data.Str("text").Length));
        Assert.True(events[^1].Data.GetProperty("stdoutTruncated").GetBoolean());
    }

    [Fact]
    public async Task Run_EventStreamWhenQueueIsFull_PlainProblem503()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "1", ["Workers:QueueCapacity"] = "1" });
        var client = factory.CreateClient();
        var pool = factory.Services.GetRequiredService<WorkerPool>();
        using var gate = new FileGate();
        var running = client.PostJsonAsync("/run", new { code = gate.WaitCode });
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 1);
        var queued = client.PostJsonAsync("/eval", new { code = "1" });
        await Poll.UntilAsync(() => pool.Status.QueuedJobs == 1);

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = "print(1)" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, stream.Response.StatusCode);
        Assert.Equal("application/problem+json", stream.Response.Content.Headers.ContentType?.MediaType);
        gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
    }

    [Fact]
    public async Task Run_EventStreamInvalidRequest_PlainProblem400()
    {
        var client = api.Factory.CreateClient();

        await using var stream = await EventStreamClient.PostAsync(client, "/run", new { code = " " });

        Assert.Equal(HttpStatusCode.BadRequest, stream.Response.StatusCode);
        Assert.Equal("application/problem+json", stream.Response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApi_RunAndEval_DocumentTheEventStream()
    {
        var client = api.Factory.CreateClient();

        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).JsonAsync();

        foreach (var path in (string[])["/run", "/eval", "/call"])
        {
            var ok = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("responses").GetProperty("200");
            Assert.True(ok.GetProperty("content").TryGetProperty("text/event-stream", out var media), path);
            Assert.Contains("event: result", media.GetProperty("example").GetString(), StringComparison.Ordinal);
            Assert.Contains("`keepalive`", ok.Str("description"), StringComparison.Ordinal);
            Assert.True(ok.GetProperty("content").TryGetProperty("application/json", out _), path);
        }
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("ExecutionResponse").GetProperty("properties").TryGetProperty("outputs", out _));
    }

    [Fact]
    public async Task Run_EventStreamSilentJob_KeepAliveEventsUntilTheResult()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Streaming:KeepAliveInterval"] = "00:00:00.020" });
        var client = factory.CreateClient();
        using var gate = new FileGate();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/run") { Content = System.Net.Http.Json.JsonContent.Create(new { code = gate.WaitCode }) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var parser = System.Net.ServerSentEvents.SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await parser.MoveNextAsync());
        Assert.Equal("keepalive", parser.Current.EventType); // the job is still waiting for the gate
        Assert.False(gate.IsOpen);
        gate.Open();
        string? last = null;
        while (await parser.MoveNextAsync())
        {
            last = parser.Current.EventType;
        }
        Assert.Equal("result", last);
        await parser.DisposeAsync();
    }
}
