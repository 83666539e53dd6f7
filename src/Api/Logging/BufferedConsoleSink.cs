using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace Sidewinder.Api.Logging;

/// <summary>A Serilog sink that formats and writes events on one background thread, in batches, so a request thread
/// only queues its event.</summary>
/// <remarks>
/// Writes go to a buffered writer that is flushed whenever the queue runs empty: one write per event when the service
/// is quiet, one per batch under load. The queue holds at most <see cref="DefaultCapacity"/> events (or the capacity
/// given); when the writer cannot keep up (a blocked stdout pipe), further events are dropped and counted, and a
/// warning with the count follows as soon as the queue has room. Disposing drains the queue and flushes (the logger
/// provider is disposed when the host stops, and the process-exit hook covers an exit that skips that).
/// </remarks>
internal sealed class BufferedConsoleSink : ILogEventSink, IDisposable
{
    /// <summary>Events that may wait to be written; more are dropped and counted.</summary>
    public const int DefaultCapacity = 10_000;

    private static readonly MessageTemplate DroppedTemplate =
        new MessageTemplateParser().Parse("{DroppedEvents} log events were dropped: the log queue (capacity {LogQueueCapacity}) was full");

    private readonly Channel<LogEvent> _queue;
    private readonly ITextFormatter _formatter;
    private readonly TextWriter _output;
    private readonly Thread _writer;
    private readonly int _capacity;
    private long _dropped;
    private int _disposed;

    public BufferedConsoleSink(ITextFormatter formatter, TextWriter output, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _formatter = formatter;
        _output = output;
        _capacity = capacity;
        _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently: the drop is counted
        });
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Sidewinder log writer" };
        _writer.Start();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Standard output as a buffered UTF-8 writer (flushed by the sink, not per write).</summary>
    public static TextWriter StandardOutput() =>
        new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024) { AutoFlush = false };

    /// <summary>The number of events dropped so far because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Emit(LogEvent logEvent)
    {
        if (!_queue.Writer.TryWrite(logEvent))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _queue.Writer.TryComplete();
        // A writer blocked on a full pipe must not hold up the process's exit for ever.
        _writer.Join(TimeSpan.FromSeconds(5));
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        long reported = 0;
        while (WaitToRead(reader))
        {
            while (reader.TryRead(out var logEvent))
            {
                Write(logEvent);
            }
            var dropped = Dropped;
            if (dropped != reported)
            {
                Write(DroppedWarning(dropped - reported));
                reported = dropped;
            }
            Flush();
        }
    }

    private static bool WaitToRead(ChannelReader<LogEvent> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private LogEvent DroppedWarning(long count) => new(DateTimeOffset.Now, LogEventLevel.Warning, null, DroppedTemplate,
    [
        new LogEventProperty("DroppedEvents", new ScalarValue(count)),
        new LogEventProperty("LogQueueCapacity", new ScalarValue(_capacity)),
        new LogEventProperty(Constants.SourceContextPropertyName, new ScalarValue(typeof(BufferedConsoleSink).FullName)),
    ]);

#pragma warning disable CA1031 // logging must never take the service down: a failing stdout loses log lines, nothing else
    private void Write(LogEvent logEvent)
    {
        try
        {
            _formatter.Format(logEvent, _output);
        }
        catch (Exception ex)
        {
            SelfLog.WriteLine("Sidewinder: could not write a log event: {0}", ex);
        }
    }

    private void Flush()
    {
        try
        {
            _output.Flush();
        }
        catch (Exception ex)
        {
            SelfLog.WriteLine("Sidewinder: could not flush the log output: {0}", ex);
        }
    }
#pragma warning restore CA1031
}
