using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sidewinder.Workers;

/// <summary>A bounded buffer of one job's output events, written by the worker as the job runs and read by whoever
/// streams them (an HTTP response, a test). Give it to a job with <see cref="PythonJob.Events"/>.</summary>
/// <remarks>
/// <para>The worker never waits for the reader: a write is a lock-free enqueue. A reader that falls behind gets the
/// queued chunks of one stream coalesced into one event; once <see cref="MaxBufferedChars"/> characters are queued,
/// further events are dropped and counted (<see cref="DroppedEvents"/>). The job's result still has all of its output
/// (up to the pool's caps): the stream is the live view, the result is the record.</para>
/// <para>The pool completes the stream when the job's result is set, whichever way the job ended. One reader.</para>
/// </remarks>
public sealed class JobEventBuffer
{
    /// <summary>Default of <see cref="MaxBufferedChars"/>: 1 Mi characters.</summary>
    public const int DefaultMaxBufferedChars = 1024 * 1024;

    /// <summary>Largest event that coalescing builds: 64 Ki characters, so a reader that catches up gets it in pieces.</summary>
    public const int MaxCoalescedChars = 64 * 1024;

    private readonly ConcurrentQueue<JobEvent> _queue = new();
    private long _bufferedChars;
    private int _dropped;
    private volatile bool _completed;
    private TaskCompletionSource? _waiter;

    /// <param name="maxBufferedChars">Characters that may wait for the reader before events are dropped.</param>
    public JobEventBuffer(int maxBufferedChars = DefaultMaxBufferedChars)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBufferedChars);
        MaxBufferedChars = maxBufferedChars;
    }

    /// <summary>Characters that may wait for the reader; beyond that, events are dropped.</summary>
    public int MaxBufferedChars { get; }

    /// <summary>Events dropped because the reader was too far behind.</summary>
    public int DroppedEvents => Volatile.Read(ref _dropped);

    /// <summary>True once the job has ended (events may still be queued).</summary>
    public bool IsCompleted => _completed;

    /// <summary>Queues an event; false when it was dropped (the buffer is full, or the job is over). Never blocks.</summary>
    public bool TryWrite(JobEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_completed)
        {
            return false;
        }
        var size = item.Text.Length;
        if (Interlocked.Add(ref _bufferedChars, size) > MaxBufferedChars)
        {
            Interlocked.Add(ref _bufferedChars, -size);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        _queue.Enqueue(item);
        Signal();
        return true;
    }

    /// <summary>Marks the end of the job's events; the reader drains what is queued and stops.</summary>
    public void Complete()
    {
        _completed = true;
        Signal();
    }

    /// <summary>Completes the stream when <paramref name="result"/> completes (the pool calls it at submission).</summary>
    internal void CompleteWhen(Task<JobResult> result) =>
        result.ContinueWith(static (_, state) => ((JobEventBuffer)state!).Complete(), this, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>The next event, stdout or stderr chunks that queued up behind each other merged into one.</summary>
    public bool TryRead(out JobEvent item)
    {
        if (!_queue.TryDequeue(out item!))
        {
            return false;
        }
        var taken = (long)item.Text.Length;
        if (item.Kind is JobEventKind.Stdout or JobEventKind.Stderr
            && _queue.TryPeek(out var next) && next.Kind == item.Kind && item.Text.Length + next.Text.Length <= MaxCoalescedChars)
        {
            var text = new StringBuilder(item.Text);
            while (_queue.TryPeek(out next) && next.Kind == item.Kind && text.Length + next.Text.Length <= MaxCoalescedChars
                && _queue.TryDequeue(out next))
            {
                text.Append(next.Text);
                taken += next.Text.Length;
            }
            item = item with { Text = text.ToString() };
        }
        Interlocked.Add(ref _bufferedChars, -taken);
        return true;
    }

    /// <summary>Completes when an event is queued or the stream completes (at once if either is already so).</summary>
    public Task WaitAsync()
    {
        if (!_queue.IsEmpty || _completed)
        {
            return Task.CompletedTask;
        }
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiter = Interlocked.CompareExchange(ref _waiter, waiter, null) ?? waiter;
        if (!_queue.IsEmpty || _completed)
        {
            Signal(); // a write between the first check and publishing the waiter
        }
        return waiter.Task;
    }

    /// <summary>Every event until the job ends.</summary>
    public async IAsyncEnumerable<JobEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            while (TryRead(out var item))
            {
                yield return item;
            }
            if (_completed && _queue.IsEmpty)
            {
                yield break;
            }
            await WaitAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Signal() => Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
}
