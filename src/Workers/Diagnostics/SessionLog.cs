using Microsoft.Extensions.Logging;

namespace Sidewinder.Workers.Diagnostics;

/// <summary>Source-generated log messages of the session store. Session state (code, variables, values, file names) is
/// never logged above Debug; ids, owners' key names, counts and reasons are.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(101, LogLevel.Information, "Session {SessionId} created for {Owner} (idle timeout {IdleTimeout}, {Sessions} sessions).")]
    public static partial void Created(ILogger logger, string sessionId, string owner, TimeSpan idleTimeout, int sessions);

    [LoggerMessage(102, LogLevel.Information, "Session {SessionId} ended ({Reason}) after {Executions} executions.")]
    public static partial void Ended(ILogger logger, string sessionId, string reason, int executions);

    [LoggerMessage(103, LogLevel.Information, "Session {SessionId}: job {JobId} interrupted on request.")]
    public static partial void Interrupted(ILogger logger, string sessionId, string jobId);

    [LoggerMessage(104, LogLevel.Debug, "Session {SessionId}: job {JobId} ({Kind}) {Outcome} after {SessionWait} in the session's queue.")]
    public static partial void Executed(ILogger logger, string sessionId, string jobId, string kind, JobOutcome outcome, TimeSpan sessionWait);

    [LoggerMessage(105, LogLevel.Warning, "Session {SessionId}: job {JobId} refused, the session's queue holds {Queued} executions (Sessions:MaxQueuedPerSession).")]
    public static partial void Busy(ILogger logger, string sessionId, string jobId, int queued);

    [LoggerMessage(106, LogLevel.Warning, "Session creation for {Owner} refused: {Reason}.")]
    public static partial void Refused(ILogger logger, string owner, string reason);

    [LoggerMessage(107, LogLevel.Warning, "Session {SessionId}: its directory {Directory} could not be removed.")]
    public static partial void DirectoryNotRemoved(ILogger logger, string sessionId, string directory, Exception exception);

    [LoggerMessage(108, LogLevel.Debug, "Session reaper: {Expired} of {Sessions} sessions expired, scan took {Elapsed}.")]
    public static partial void Reaped(ILogger logger, int expired, int sessions, TimeSpan elapsed);
}
