namespace Sidewinder.Workers;

/// <summary>A point-in-time view of a <see cref="WorkerPool"/>.</summary>
/// <param name="Workers">Live workers able to take jobs (quarantined ones excluded).</param>
/// <param name="BusyWorkers">Workers running a job right now.</param>
/// <param name="QueuedJobs">Jobs waiting for a worker.</param>
/// <param name="QuarantinedWorkers">Threads stuck in native code past a deadline, not yet returned.</param>
/// <param name="Parallel">True when workers run Python in parallel: a free-threaded build with the GIL off, or
/// <see cref="WorkerIsolation.Interpreter"/> (each worker's sub-interpreter has its own GIL).</param>
/// <param name="IsAcceptingJobs">False once shutdown has begun.</param>
/// <param name="TargetWorkers">Workers the pool keeps running (<see cref="WorkerPoolOptions.WorkerCount"/> resolved); fewer
/// <see cref="Workers"/> than this means a replacement is starting, or that more than
/// <see cref="WorkerPoolOptions.MaxQuarantinedWorkers"/> threads are stuck and none is started until one returns.</param>
public sealed record WorkerPoolStatus(int Workers, int BusyWorkers, int QueuedJobs, int QuarantinedWorkers, bool Parallel, bool IsAcceptingJobs,
    int TargetWorkers);
