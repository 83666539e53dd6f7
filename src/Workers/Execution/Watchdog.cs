using System.Diagnostics;
using System.Threading.Channels;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>The one thread that enforces every job deadline of a pool, plus the interrupter thread it drives.</summary>
/// <remarks>
/// <para>
/// The watchdog never attaches to Python. At a job's deadline (or when its caller cancels) it asks the interrupter
/// to raise <c>DeadlineExceeded</c> in the worker, and gives the job <see cref="WorkerPoolOptions.InterruptGracePeriod"/>
/// to stop. Pure-Python code stops at its next bytecode boundary and the worker reports the timeout itself, with all
/// output so far. Code stuck in C (a sleep, a socket read) cannot be interrupted: at the end of the grace period the
/// watchdog completes the job as timed out, with the output the interrupter took when it raised the exception, and the
/// pool quarantines the worker and starts a replacement. The stuck thread gets the exception when the C call returns,
/// and then retires.
/// </para>
/// <para>
/// The grace period runs from the moment the interrupter got the exception in, not from the deadline: raising it
/// means attaching, which waits for the GIL (or, on a free-threaded build, for every attached thread to pause), and a
/// busy machine can delay that beyond the grace period. Should the interrupter not get in within a further second (or
/// grace period, if longer; a GIL build whose GIL is held by a thread stuck in C), the job is completed without its
/// output.
/// </para>
/// <para>
/// The interrupter is separate because attaching can block: on a GIL build a thread stuck in C while holding the GIL
/// would otherwise stall every other deadline too. For the same reason each sub-interpreter with jobs to interrupt gets
/// an interrupter thread of its own (started at its first deadline, ended with the interpreter): attaching to a
/// sub-interpreter waits for its own GIL, which a job stuck in C there may hold for as long as it likes, and deadlines
/// in the other interpreters must not wait for that.
/// </para>
/// <para>
/// Wake-ups: the watchdog sleeps until the earliest deadline it knows of. A worker starting a job signals it only when
/// that job's deadline is earlier (or a scan is in progress), so steady traffic costs no signal per job.
/// </para>
/// </remarks>
internal sealed class Watchdog : IDisposable
{
    private const long Scanning = 0;

    private readonly WorkerPool _pool;
    private readonly long _grace;
    private readonly long _deliveryAllowance;
    private readonly Thread _thread;
    private readonly Interrupter _main;
    private readonly Dictionary<PythonInterpreter, Interrupter> _subInterrupters = [];
    private readonly Lock _interruptersGate = new();
    private readonly AutoResetEvent _wake = new(false);
    private long _nextWake = long.MaxValue;
    private volatile bool _stopping;

    public Watchdog(WorkerPool pool, TimeSpan grace)
    {
        _pool = pool;
        _grace = (long)(grace.TotalSeconds * Stopwatch.Frequency);
        _deliveryAllowance = Math.Max(_grace, Stopwatch.Frequency); // a second, or the grace period if longer
        _thread = new Thread(Run) { IsBackground = true, Name = "python-watchdog" };
        _main = new Interrupter(this, null);
    }

    public void Start()
    {
        _thread.Start();
        _main.Thread.Start();
    }

    /// <summary>Hands a job to the interrupter of its interpreter (a sub-interpreter's is started on its first use).</summary>
    private void RequestInterrupt(Worker worker, JobWorkItem item)
    {
        var interpreter = item.Context!.Interpreter; // set by the worker before it made the job current
        var interrupter = _main;
        if (!interpreter.IsMain)
        {
            lock (_interruptersGate)
            {
                if (_stopping)
                {
                    return;
                }
                if (!_subInterrupters.TryGetValue(interpreter, out interrupter!))
                {
                    interrupter = new Interrupter(this, interpreter);
                    _subInterrupters.Add(interpreter, interrupter);
                    interrupter.Thread.Start();
                }
            }
        }
        interrupter.Requests.Writer.TryWrite((worker, item));
    }

    /// <summary>The interpreter ended (or is about to): its interrupter thread, if it has one, ends.</summary>
    public void Forget(PythonInterpreter interpreter)
    {
        lock (_interruptersGate)
        {
            if (_subInterrupters.Remove(interpreter, out var interrupter))
            {
                interrupter.Requests.Writer.TryComplete();
            }
        }
    }

    /// <summary>Called by a worker after it made <paramref name="item"/> its current job.</summary>
    public void Track(JobWorkItem item)
    {
        Interlocked.MemoryBarrier(); // publish Current before reading _nextWake (the watchdog does the mirror image)
        var next = Volatile.Read(ref _nextWake);
        if (next == Scanning || item.Deadline < next)
        {
            _wake.Set();
        }
    }

    /// <summary>Re-examines every job now (a cancellation, shutdown).</summary>
    public void Wake() => _wake.Set();

    private void Run()
    {
        while (!_stopping)
        {
            Interlocked.Exchange(ref _nextWake, Scanning);
            var now = Stopwatch.GetTimestamp();
            var next = long.MaxValue;
            foreach (var worker in _pool.AllWorkers())
            {
                var item = worker.Current;
                if (item is not null)
                {
                    next = Math.Min(next, Check(worker, item, now));
                }
            }
            Volatile.Write(ref _nextWake, next);
            var wait = next == long.MaxValue ? Timeout.Infinite
                : (int)Math.Clamp((next - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency + 1, 0, int.MaxValue);
            _wake.WaitOne(wait);
        }
    }

    /// <summary>Acts on one running job; returns when it next needs attention.</summary>
    private long Check(Worker worker, JobWorkItem item, long now)
    {
        if (!item.InterruptRequested)
        {
            if (now < item.Deadline && !item.CancelRequested)
            {
                return item.Deadline;
            }
            item.InterruptRequested = true;
            item.GraceDeadline = now + _grace;
            RequestInterrupt(worker, item);
            return item.GraceDeadline;
        }
        var graceEnd = item.InterruptDeliveredAt is var delivered and not 0
            ? Math.Max(item.GraceDeadline, delivered + _grace)
            : item.GraceDeadline + _deliveryAllowance;
        if (now < graceEnd)
        {
            return graceEnd;
        }
        if (item.IsRunning)
        {
            _pool.Abandon(worker, item);
        }
        // Still stuck (or it swallowed the exception with a bare except): interrupt again every second.
        item.GraceDeadline = now + Stopwatch.Frequency;
        RequestInterrupt(worker, item);
        return item.GraceDeadline;
    }

    /// <summary>One interrupter thread and its queue: the main interpreter's, or one sub-interpreter's.</summary>
    private sealed class Interrupter
    {
        public Interrupter(Watchdog owner, PythonInterpreter? interpreter)
        {
            Interpreter = interpreter;
            Thread = new Thread(() => owner.Interrupt(this), 4 * 1024 * 1024)
            {
                IsBackground = true,
                Name = interpreter is null ? "python-interrupter" : "python-interrupter-" + interpreter.Id,
            };
        }

        /// <summary>Null for the main interpreter's.</summary>
        public PythonInterpreter? Interpreter { get; }

        public Thread Thread { get; }

        // Synchronous continuations: the watchdog's write wakes the interrupter directly. Otherwise the wake-up is a
        // thread-pool work item, and a busy or starved thread pool delayed interrupts (and output snapshots) past the grace period.
        public Channel<(Worker Worker, JobWorkItem Item)> Requests { get; } =
            Channel.CreateUnbounded<(Worker, JobWorkItem)>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    }

    private void Interrupt(Interrupter self)
    {
        // The main interpreter's interrupter attaches with a thread state of its own; a sub-interpreter's gets one in
        // that interpreter on its first attach, which ending the interpreter removes.
        using var threadState = self.Interpreter is null ? _pool.Runtime.CreateThreadState() : null;
        var reader = self.Requests.Reader;
        while (true)
        {
            if (!reader.TryRead(out var request))
            {
                var wait = reader.WaitToReadAsync();
                if (!(wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult()))
                {
                    return;
                }
                continue;
            }
            var (worker, item) = request;
            var context = item.Context!; // set by the worker before it made the job current
            try
            {
                // The gate is taken detached, then held while attached for the interrupt itself; see Worker.
                lock (worker.Gate)
                {
                    if (worker.Current != item || worker.ThreadState is not { } target)
                    {
                        continue; // finished meanwhile: an interrupt now would hit its next job
                    }
                    worker.InterruptRaised = true; // the worker cancels it if the job ends before it fires
                    // In the job's own interpreter: PyThreadState_SetAsyncExc looks the thread up among its thread states.
                    using var scope = context.Interpreter.Attach();
                    target.Interrupt(scope.Python, context.Host.DeadlineExceeded);
                }
                if (item.Snapshot is null && worker.ThreadState is { } state)
                {
                    using var scope = context.Interpreter.Attach();
                    item.Snapshot = context.Host.Peek(scope.Python, state.ThreadId);
                }
            }
            catch (ObjectDisposedException)
            {
                if (self.Interpreter is { } ended)
                {
                    Forget(ended); // that interpreter ended; the runtime and the other interrupters go on
                }
                return; // the runtime is shutting down, or this interrupter's interpreter has ended
            }
            catch (PythonException)
            {
                // A failed snapshot must not stop deadline enforcement; the interrupt itself cannot raise.
            }
            if (item.InterruptDeliveredAt == 0)
            {
                item.InterruptDeliveredAt = Stopwatch.GetTimestamp(); // the job's grace period starts now
            }
        }
    }

    public void Dispose()
    {
        Interrupter[] subs;
        lock (_interruptersGate)
        {
            _stopping = true;
            subs = [.. _subInterrupters.Values];
            _subInterrupters.Clear();
        }
        _main.Requests.Writer.TryComplete();
        foreach (var sub in subs)
        {
            sub.Requests.Writer.TryComplete();
        }
        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(5));
        _main.Thread.Join(TimeSpan.FromSeconds(5));
        foreach (var sub in subs)
        {
            sub.Thread.Join(TimeSpan.FromMilliseconds(500)); // one blocked on a stuck interpreter's GIL stays behind (background)
        }
        _wake.Dispose();
    }
}
