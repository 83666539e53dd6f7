using System.Diagnostics;
using System.Threading.Channels;

namespace Sidewinder.Workers.Execution;

/// <summary>Hands queued jobs to idle workers: an idle worker spins briefly, then parks; a submission wakes one parked
/// worker, and none at all while a worker is spinning.</summary>
/// <remarks>
/// <para>
/// Why not the channel's own <c>WaitToReadAsync</c>: it wakes every waiting worker for each job, and (without
/// synchronous continuations) through a thread-pool work item, so a job reached its worker after two thread switches.
/// Here a job wakes at most one worker, the most recently parked one, and a worker still spinning takes it with no
/// wake-up at all. Spinning is bounded (<see cref="WorkerPoolOptions.IdleSpinTime"/>), limited to half the cores
/// (none on one core), and uses <see cref="SpinWait"/>, which yields to other ready threads after a few rounds.
/// </para>
/// <para>
/// No lost wake-up. A submitter writes the job, then (full fence) reads the spinner count and, if it is zero, the parked
/// count. A worker that stops spinning first parks (push), then leaves the spinner count (full fence), then looks at the
/// queue once more before it sleeps. Either that look finds the job, or the submitter saw the worker parked and wakes
/// a parked worker. A worker that takes a job while more are queued wakes another parked worker, so a burst that
/// arrived while one worker was spinning still reaches the others.
/// </para>
/// <para>
/// Workers call this only while detached: spinning or sleeping attached would stall a free-threaded build's
/// stop-the-world pauses (and hold the GIL on a GIL build). The lock is held only to push or pop.
/// </para>
/// </remarks>
internal sealed class IdleWorkers
{
    private readonly ChannelReader<JobWorkItem> _reader;
    private readonly Func<bool> _isClosing;
    private readonly Lock _gate = new();
    private readonly List<Parker> _parked = []; // a stack: the most recently parked worker is woken first
    private readonly long _spinTicks;
    private readonly int _maxSpinners;
    private int _parkedCount;
    private int _spinners;

    public IdleWorkers(ChannelReader<JobWorkItem> reader, Func<bool> isClosing, TimeSpan spinTime)
    {
        _reader = reader;
        _isClosing = isClosing;
        _spinTicks = (long)(spinTime.TotalSeconds * Stopwatch.Frequency);
        _maxSpinners = _spinTicks > 0 ? Environment.ProcessorCount / 2 : 0;
    }

    /// <summary>Called after a job was written to the queue.</summary>
    public void OnQueued()
    {
        Interlocked.MemoryBarrier(); // the job's write before the reads below (see remarks)
        if (Volatile.Read(ref _spinners) == 0)
        {
            WakeOne();
        }
    }

    /// <summary>Wakes every parked worker (shutdown).</summary>
    public void WakeAll()
    {
        lock (_gate)
        {
            foreach (var parker in _parked)
            {
                parker.IsParked = false;
                parker.Event.Set();
            }
            _parked.Clear();
            Volatile.Write(ref _parkedCount, 0);
        }
    }

    /// <summary>Waits (detached) for the next job; false once the pool is closing and nothing was taken.</summary>
    public bool TryTake(Parker self, out JobWorkItem item)
    {
        while (true)
        {
            if (_reader.TryRead(out item!))
            {
                Taken();
                return true;
            }
            if (_isClosing())
            {
                return false;
            }
            var spinning = TryStartSpinning();
            if (spinning && Spin(out item!))
            {
                Interlocked.Decrement(ref _spinners);
                Taken();
                return true;
            }
            self.Event.Reset();
            Park(self);
            if (spinning)
            {
                Interlocked.Decrement(ref _spinners); // a full fence: parked before the last look
            }
            else
            {
                Interlocked.MemoryBarrier();
            }
            if (_reader.TryRead(out item!))
            {
                Unpark(self);
                Taken();
                return true;
            }
            if (_isClosing())
            {
                Unpark(self);
                return false;
            }
            self.Event.Wait();
        }
    }

    private bool Spin(out JobWorkItem item)
    {
        var until = Stopwatch.GetTimestamp() + _spinTicks;
        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (_reader.TryRead(out item!))
            {
                return true;
            }
        }
        while (Stopwatch.GetTimestamp() < until && !_isClosing());
        return false;
    }

    private bool TryStartSpinning()
    {
        while (true)
        {
            var spinners = Volatile.Read(ref _spinners);
            if (spinners >= _maxSpinners)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _spinners, spinners + 1, spinners) == spinners)
            {
                return true;
            }
        }
    }

    /// <summary>A worker took a job: if more are queued and workers are parked, wake one for them.</summary>
    private void Taken()
    {
        if (Volatile.Read(ref _parkedCount) > 0 && _reader.Count > 0)
        {
            WakeOne();
        }
    }

    private void WakeOne()
    {
        if (Volatile.Read(ref _parkedCount) == 0)
        {
            return;
        }
        Parker? parker = null;
        lock (_gate)
        {
            if (_parked.Count > 0)
            {
                parker = _parked[^1];
                _parked.RemoveAt(_parked.Count - 1);
                parker.IsParked = false;
                Volatile.Write(ref _parkedCount, _parked.Count);
            }
        }
        parker?.Event.Set();
    }

    private void Park(Parker parker)
    {
        lock (_gate)
        {
            parker.IsParked = true;
            _parked.Add(parker);
            Volatile.Write(ref _parkedCount, _parked.Count);
        }
    }

    /// <summary>Leaves the stack after the last look found work. If a submitter popped this worker meanwhile, its wake-up
    /// may still arrive later: a harmless extra round of the loop (and the job it was meant for is covered by <see cref="Taken"/>).</summary>
    private void Unpark(Parker parker)
    {
        lock (_gate)
        {
            if (parker.IsParked)
            {
                parker.IsParked = false;
                _parked.Remove(parker);
                Volatile.Write(ref _parkedCount, _parked.Count);
            }
        }
    }

    /// <summary>One worker's place on the stack of parked workers.</summary>
    /// <remarks>Not disposable on purpose: a submitter that popped the worker may set the event after the worker has
    /// exited. The event never creates a kernel handle (nobody reads its WaitHandle), so there is nothing to release.</remarks>
    internal sealed class Parker
    {
        /// <summary>Set to wake the worker; no spinning of its own (the worker already spun).</summary>
        public ManualResetEventSlim Event { get; } = new(false, spinCount: 0);

        /// <summary>On the stack; read and written under the stack's lock only.</summary>
        public bool IsParked { get; set; }
    }
}
