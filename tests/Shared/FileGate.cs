using System.Text.Json;

namespace Sidewinder.Tests;

/// <summary>
/// Holds a job in Python until the test opens the gate (creates a file), so a test can keep a worker busy for exactly
/// as long as it needs, however slow the machine is. The job polls in byte code, so deadlines, cancellation and
/// shutdown can still interrupt it; it gives up after a minute so a failing test cannot hang the run.
/// Linked into every test project that runs jobs.
/// </summary>
internal sealed class FileGate : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sidewinder-gate-" + Guid.NewGuid().ToString("N"));

    /// <summary>Statements that return once the gate is open (a minute at most).</summary>
    public string WaitCode =>
        "import os as _os, time as _time\n" +
        "_end = _time.monotonic() + 60\n" +
        $"while not _os.path.exists({JsonSerializer.Serialize(Path)}) and _time.monotonic() < _end:\n" +
        "    _time.sleep(0.005)\n";

    /// <summary>A statement that opens the gate from a job, for a test that waits until the job got that far.</summary>
    public string OpenCode => $"open({JsonSerializer.Serialize(Path)}, 'w').close()\n";

    public bool IsOpen => File.Exists(Path);

    public void Open() => File.WriteAllText(Path, "");

    public void Dispose() => File.Delete(Path);
}
