using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sidewinder.Workers.Tests.Diagnostics;

[Collection(PythonTests.Name)]
public sealed class TelemetryTests(PoolFixture fixture)
{
    [Fact]
    public async Task SubmitAsync_Outcomes_AreCountedAndTimed()
    {
        var measurements = new ConcurrentQueue<(string Instrument, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WorkerPool.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, Outcome(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, Outcome(tags))));
        listener.SetMeasurementEventCallback<int>((instrument, _, _, _) => measurements.Enqueue((instrument.Name, null)));
        listener.Start();

        await fixture.Pool.SubmitAsync(new EvalJob("1"));
        await fixture.Pool.SubmitAsync(new EvalJob("1 / 0"));
        listener.RecordObservableInstruments();

        Assert.Contains(("sidewinder.workers.jobs", "ok"), measurements);
        Assert.Contains(("sidewinder.workers.jobs", "error"), measurements);
        Assert.Contains(measurements, m => m.Instrument == "sidewinder.workers.execution");
        Assert.Contains(measurements, m => m.Instrument == "sidewinder.workers.queue.wait");
        Assert.Contains(measurements, m => m.Instrument == "sidewinder.workers.queue.length");
        Assert.Contains(measurements, m => m.Instrument == "sidewinder.workers.busy");
        Assert.Contains(measurements, m => m.Instrument == "sidewinder.workers.quarantined");
    }

    [Fact]
    public async Task SubmitAsync_UnderCallerActivity_ExecutionSpanIsChild()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkerPool.ActivitySourceName || source.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");

        string parentSpan;
        using (var parent = source.StartActivity("request"))
        {
            parentSpan = parent!.SpanId.ToHexString();
            await fixture.Pool.SubmitAsync(new EvalJob("2") { Id = "traced-job" });
        }

        var execute = Assert.Single(stopped, a => a.OperationName == "python.execute" && (string?)a.GetTagItem("sidewinder.job.id") == "traced-job");
        var queue = Assert.Single(stopped, a => a.OperationName == "python.queue" && (string?)a.GetTagItem("sidewinder.job.id") == "traced-job");
        Assert.Equal(parentSpan, execute.ParentSpanId.ToHexString());
        Assert.Equal(parentSpan, queue.ParentSpanId.ToHexString());
        Assert.Equal("ok", execute.GetTagItem("sidewinder.job.outcome"));
    }

    private static string? Outcome(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "outcome")
            {
                return tag.Value as string;
            }
        }
        return null;
    }
}
