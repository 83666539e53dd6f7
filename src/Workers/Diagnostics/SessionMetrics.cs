using System.Diagnostics.Metrics;

namespace Sidewinder.Workers.Diagnostics;

/// <summary>The session store's instruments, on the pool's meter (<see cref="WorkerPool.MeterName"/>).</summary>
internal sealed class SessionMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _created;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _deleted;
    private readonly Counter<long> _executions;
    private readonly Histogram<long> _executionsPerSession;
    private readonly Histogram<double> _queueWait;

    public SessionMetrics(IMeterFactory? meterFactory, Func<int> active)
    {
        _meter = meterFactory?.Create(WorkerPool.MeterName) ?? new Meter(WorkerPool.MeterName);
        _meter.CreateObservableGauge("sidewinder.sessions.active", active, "{session}", "Sessions held now.");
        _created = _meter.CreateCounter<long>("sidewinder.sessions.created", "{session}", "Sessions created.");
        _expired = _meter.CreateCounter<long>("sidewinder.sessions.expired", "{session}", "Sessions ended by the reaper (idle timeout or maximum lifetime).");
        _deleted = _meter.CreateCounter<long>("sidewinder.sessions.deleted", "{session}", "Sessions ended by DELETE.");
        _executions = _meter.CreateCounter<long>("sidewinder.sessions.executions", "{job}", "Jobs run in sessions, by outcome.");
        _executionsPerSession = _meter.CreateHistogram<long>("sidewinder.sessions.executions_per_session", "{job}", "Executions of each session that ended.");
        _queueWait = _meter.CreateHistogram<double>("sidewinder.sessions.queue.wait", "s", "Time a session's job waited for the session's previous job.");
    }

    public void Created() => _created.Add(1);

    public void Ended(string reason, int executions)
    {
        if (reason == "expired")
        {
            _expired.Add(1);
        }
        else if (reason == "deleted")
        {
            _deleted.Add(1);
        }
        _executionsPerSession.Record(executions);
    }

    public void Executed(JobOutcome outcome, TimeSpan sessionWait)
    {
        _executions.Add(1, new KeyValuePair<string, object?>("outcome", WorkerPoolMetrics.OutcomeTag(outcome)));
        _queueWait.Record(sessionWait.TotalSeconds);
    }

    public void Dispose() => _meter.Dispose();
}
