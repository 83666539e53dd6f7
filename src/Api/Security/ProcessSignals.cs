using System.Runtime.InteropServices;

namespace Sidewinder.Api.Security;

/// <summary>Timer signals that job code can request (<c>signal.alarm</c>, <c>signal.setitimer</c>) and whose default
/// action terminates the process. CPython installs Python-level handlers only from the main thread, which jobs never run
/// on, so a job cannot catch them either: the service ignores them once, process-wide.</summary>
internal static class ProcessSignals
{
    private const int Sigalrm = 14, Sigvtalrm = 26, Sigprof = 27; // Linux numbering
    private static readonly List<PosixSignalRegistration> s_registrations = [];

    public static void IgnoreTimerSignals()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        lock (s_registrations)
        {
            if (s_registrations.Count > 0)
            {
                return;
            }
            foreach (var signal in (int[])[Sigalrm, Sigvtalrm, Sigprof])
            {
                // A raw signal number: .NET's handler runs instead of the default action, and cancels nothing else.
                s_registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, static context => context.Cancel = true));
            }
        }
    }
}
