using Sidewinder.Interop;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Workers.Execution;

/// <summary>The session side of the host: a new session's namespace, and what a session's globals hold.</summary>
internal sealed partial class PythonHost
{
    /// <summary>Prepares a new session's globals (<c>SESSION_DIR</c>).</summary>
    public void PrepareSession(Python py, PyBound globals, string directory)
    {
        using var prepare = _sessionNamespace.Bind(py);
        using var path = py.Str(directory);
        prepare.Call(globals, path).Dispose();
    }

    /// <summary>A session's globals as names and types (one string from Python, so a big namespace costs one conversion).</summary>
    public (int Count, IReadOnlyList<SessionVariable> Listed) Describe(Python py, PyBound globals, int limit)
    {
        using var describe = _describe.Bind(py);
        using var max = py.Int(limit);
        using var text = describe.Call(globals, max);
        var lines = text.GetString().Split('\n');
        var listed = new SessionVariable[lines.Length - 1];
        for (var i = 1; i < lines.Length; i++)
        {
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            listed[i - 1] = new SessionVariable(lines[i][..tab], lines[i][(tab + 1)..]);
        }
        return (int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), listed);
    }
}
