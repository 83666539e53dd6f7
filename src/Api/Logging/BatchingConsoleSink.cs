using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Sinks.Async;

namespace Sidewinder.Api.Logging;

/// <summary>The console sink inside Serilog.Sinks.Async: writes into a buffered standard output and flushes only when
/// the async queue is empty, so a busy service makes one write per batch of events instead of one per event.</summary>
/// <remarks>Serilog.Sinks.Console flushes after every event (one <c>write</c> system call each); measured on eval at 32
/// connections that cost about 6 µs of CPU per request more than flushing per batch (docs/performance.md, "Per-request
/// logging"). Queueing, the background thread, the buffer limit and dropping when full are Serilog.Sinks.Async's; this
/// class only formats, writes and decides when to flush. Called on Serilog.Sinks.Async's one worker thread.</remarks>
internal sealed class BatchingConsoleSink(ITextFormatter formatter, TextWriter output) : ILogEventSink, IAsyncLogEventSinkMonitor, IDisposable
{
    private IAsyncLogEventSinkInspector? _queue;

    /// <summary>Standard output as a buffered UTF-8 writer (flushed by the sink, not per write).</summary>
    public static TextWriter StandardOutput() =>
        new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024) { AutoFlush = false };

    public void Emit(LogEvent logEvent)
    {
        formatter.Format(logEvent, output);
        if (_queue is not { Count: > 0 })
        {
            output.Flush();
        }
    }

    public void StartMonitoring(IAsyncLogEventSinkInspector inspector) => _queue = inspector;

    public void StopMonitoring(IAsyncLogEventSinkInspector inspector) => _queue = null;

    public void Dispose() => output.Flush();
}
