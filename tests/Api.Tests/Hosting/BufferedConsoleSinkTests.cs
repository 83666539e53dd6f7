using System.Globalization;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;
using Sidewinder.Api.Logging;

namespace Sidewinder.Api.Tests.Hosting;

public sealed class BufferedConsoleSinkTests
{
    private static readonly MessageTemplateTextFormatter Formatter = new("{Level:u3} {Message:lj}{NewLine}", CultureInfo.InvariantCulture);

    [Fact]
    public void Dispose_AfterEvents_WritesEveryEventInOrder()
    {
        var output = new StringWriter();
        var sink = new BufferedConsoleSink(Formatter, output);

        for (var i = 0; i < 500; i++)
        {
            sink.Emit(Event($"line {i}"));
        }
        sink.Dispose();

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"INF line {i}"), lines);
        Assert.Equal(0, sink.Dropped);
    }

    [Fact]
    public async Task Emit_QuietService_IsWrittenAndFlushedWithoutWaitingForMore()
    {
        var output = new FlushCountingWriter();
        using var sink = new BufferedConsoleSink(Formatter, output);

        sink.Emit(Event("alone"));

        await Poll.UntilAsync(() => output.Flushed.Contains("INF alone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Emit_OutputBlockedAndQueueFull_DropsCountsAndReportsTheCountLater()
    {
        var output = new BlockingWriter();
        var sink = new BufferedConsoleSink(Formatter, output, capacity: 2);

        sink.Emit(Event("first")); // taken by the writer thread, which then blocks writing it
        await Poll.UntilAsync(() => output.Blocked);
        for (var i = 0; i < 5; i++)
        {
            sink.Emit(Event($"queued {i}"));
        }
        Assert.Equal(3, sink.Dropped); // two fit in the queue
        output.Release();
        sink.Dispose();

        var text = output.ToString();
        Assert.Contains("INF queued 0", text, StringComparison.Ordinal);
        Assert.Contains("INF queued 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("queued 2", text, StringComparison.Ordinal);
        Assert.Contains("WRN 3 log events were dropped: the log queue (capacity 2) was full", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_OutputThrows_LosesTheLineButKeepsWriting()
    {
        var output = new ThrowOnceWriter();
        var sink = new BufferedConsoleSink(Formatter, output);

        sink.Emit(Event("lost"));
        sink.Emit(Event("kept"));
        sink.Dispose();

        Assert.Contains("INF kept", output.ToString(), StringComparison.Ordinal);
    }

    private static LogEvent Event(string text) =>
        new(DateTimeOffset.Now, LogEventLevel.Information, null, new MessageTemplateParser().Parse(text.Replace("{", "{{", StringComparison.Ordinal)), []);

    private sealed class FlushCountingWriter : StringWriter
    {
        private string _flushed = "";

        public string Flushed => Volatile.Read(ref _flushed);

        public override void Flush()
        {
            base.Flush();
            Volatile.Write(ref _flushed, ToString());
        }
    }

    /// <summary>Blocks the first write until released, like a stdout pipe nobody reads.</summary>
    private sealed class BlockingWriter : StringWriter
    {
        private readonly ManualResetEventSlim _released = new();
        private volatile bool _blocked;

        public bool Blocked => _blocked;

        public void Release() => _released.Set();

        public override void Write(char value)
        {
            Wait();
            base.Write(value);
        }

        public override void Write(string? value)
        {
            Wait();
            base.Write(value);
        }

        private void Wait()
        {
            _blocked = true;
            _released.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class ThrowOnceWriter : StringWriter
    {
        private int _writes;

        public override void Write(string? value)
        {
            if (Interlocked.Increment(ref _writes) == 1)
            {
                throw new IOException("broken pipe");
            }
            base.Write(value);
        }

        public override void Write(char value) => Write(value.ToString());
    }
}
