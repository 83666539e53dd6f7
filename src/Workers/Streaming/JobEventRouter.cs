using System.Collections.Concurrent;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>Delivers the host module's events to the <see cref="JobEventBuffer"/> of the job they belong to. A job
/// with a stream gets a token at its start; the host module passes <c>(token, kind, ...)</c> to <see cref="Emit"/>.</summary>
/// <remarks>Tokens are never reused, so an event from a thread that outlived its job finds no stream and is dropped
/// instead of landing in another job's stream.</remarks>
internal sealed class JobEventRouter
{
    private readonly ConcurrentDictionary<long, JobEventBuffer> _streams = new();
    private long _lastToken;

    public long Register(JobEventBuffer stream)
    {
        var token = Interlocked.Increment(ref _lastToken);
        _streams[token] = stream;
        return token;
    }

    public void Unregister(long token) => _streams.TryRemove(token, out _);

    /// <summary>Called by Python on the job's thread; reads the tuple and queues the event, never blocking.</summary>
    public void Emit(PyBound argument)
    {
        using var tokenValue = Item(argument, 0);
        if (!_streams.TryGetValue(tokenValue.GetInt64(), out var stream) || stream.IsCompleted)
        {
            return;
        }
        using var kindValue = Item(argument, 1);
        var kind = (JobEventKind)kindValue.GetInt64();
        if (kind == JobEventKind.Log)
        {
            using var level = Item(argument, 2);
            using var logger = Item(argument, 3);
            using var message = Item(argument, 4);
            stream.TryWrite(new JobEvent(kind, message.GetString()) { Level = (int)level.GetInt64(), Logger = logger.GetString() });
            return;
        }
        using var text = Item(argument, 2);
        stream.TryWrite(new JobEvent(kind, text.GetString()));
    }

    private static PyBound Item(PyBound tuple, int index)
    {
        using var key = tuple.Py.Int(index);
        return tuple.GetItem(key);
    }
}
