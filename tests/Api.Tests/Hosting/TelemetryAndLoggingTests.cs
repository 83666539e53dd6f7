using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Sidewinder.Api.Tests.Hosting;

[Collection(ApiTests.Name)]
public sealed class TelemetryAndLoggingTests(DefaultApi api)
{
    [Fact]
    public async Task Eval_WithTraceparent_WorkerSpansJoinTheCallersTrace()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Microsoft.AspNetCore" or Sidewinder.Workers.WorkerPool.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var traceId = ActivityTraceId.CreateRandom();
        var parentId = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/eval") { Content = JsonContent("{\"code\": \"1 + 1\"}") };
        request.Headers.Add("traceparent", $"00-{traceId}-{parentId}-01");

        var response = await api.Factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.UntilAsync(() => stopped.Any(a => a.TraceId == traceId && a.OperationName == "python.execute"));
        var spans = stopped.Where(a => a.TraceId == traceId).ToList();
        var server = Assert.Single(spans, a => a.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal(parentId, server.ParentSpanId);
        var execute = Assert.Single(spans, a => a.OperationName == "python.execute");
        Assert.Equal(server.SpanId, execute.ParentSpanId);
    }

    [Fact]
    public async Task UnknownPath_CompletedRequest_LogsALineWithoutJobFields()
    {
        var path = "/no-such-path-" + Guid.NewGuid().ToString("N");

        var response = await api.Factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var entry = Assert.Single(api.Factory.Logs.Entries, e => e.EventName == "RequestCompletedWithoutJob" && Equals(e.Properties["Path"], path));
        Assert.Equal(404, entry.Properties["StatusCode"]);
        Assert.DoesNotContain("job", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_CompletedRequest_LogsOneLineWithStatusJobIdAndOutcome()
    {
        var response = await api.Factory.CreateClient().PostJsonAsync("/eval", new { code = "1 / 0" });
        var jobId = (await response.JsonAsync()).Str("jobId");

        var entry = Assert.Single(api.Factory.Logs.Entries, e => e.EventName == "RequestCompleted" && Equals(e.Properties["JobId"], jobId));

        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("POST", entry.Properties["Method"]);
        Assert.Equal("/eval", entry.Properties["Path"]);
        Assert.Equal(422, entry.Properties["StatusCode"]);
        Assert.Equal("error", entry.Properties["Outcome"]);
        Assert.DoesNotContain("1 / 0", entry.Message, StringComparison.Ordinal);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
