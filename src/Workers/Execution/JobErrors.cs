using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>Turns exceptions into <see cref="JobError"/>s: drops the worker's own frames and fills in the job's source lines.</summary>
internal static partial class JobErrors
{
    /// <summary>The error of a job that raised <paramref name="exception"/>; <paramref name="fileName"/> and
    /// <paramref name="source"/> are the job's code, whose lines fill the frames; <paramref name="inSession"/> says the job
    /// ran in a session (whose own isolation, not the workers', decided where it ran).</summary>
    public static JobError FromPython(PythonException exception, string? fileName, string? source, bool inSession = false)
    {
        var lines = source?.Split('\n');
        var frames = new List<PythonFrame>(exception.Frames.Count);
        foreach (var frame in exception.Frames)
        {
            if (frame.File == PythonHost.FileName)
            {
                continue;
            }
            frames.Add(frame.Source is null && frame.File == fileName ? frame with { Source = Line(lines, frame.Line) } : frame);
        }
        var traceback = Traceback(exception.FormattedTraceback, fileName, lines);
        if (exception is PythonSyntaxError syntax)
        {
            if (syntax.FileName == fileName)
            {
                // The job's own code does not parse: the frames are only the compiler's (ast.parse).
                frames.Clear();
                traceback = new PythonSyntaxError(syntax.PythonType, syntax.PythonMessage, [], syntax.FileName, syntax.Line,
                    syntax.Offset, syntax.EndLine, syntax.EndOffset, syntax.Text, syntax.Detail).FormattedTraceback;
            }
            return new JobError(exception.PythonType, syntax.Detail)
            {
                Frames = frames,
                Traceback = traceback,
                Line = syntax.Line,
                Offset = syntax.Offset,
                Text = syntax.Text?.TrimEnd('\n', '\r') ?? Line(lines, syntax.Line ?? 0),
            };
        }
        return new JobError(exception.PythonType, WithIsolationHint(exception, inSession)) { Frames = frames, Traceback = traceback };
    }

    /// <summary>Text CPython's ImportError has for an extension module with single-phase initialisation in a sub-interpreter.</summary>
    internal const string SubInterpreterImportText = "does not support loading in subinterpreters";

    /// <summary>The hint added to that ImportError: it is raised only under <see cref="WorkerIsolation.Interpreter"/>.</summary>
    internal const string SubInterpreterImportHint =
        " (this service runs jobs in sub-interpreters, Workers:Isolation=Interpreter, where extension modules with single-phase initialisation, numpy among them, cannot be imported; set Workers:Isolation=Shared to use it)";

    /// <summary>The hint for a session's job: the session was created with its own interpreter.</summary>
    internal const string SessionInterpreterImportHint =
        " (this session runs in a sub-interpreter of its own, isolation 'interpreter', where extension modules with single-phase initialisation, numpy among them, cannot be imported; create the session with isolation 'shared' to use it)";

    private static string WithIsolationHint(PythonException exception, bool inSession) =>
        exception.PythonType is "ImportError" or "ModuleNotFoundError"
            && exception.PythonMessage.Contains(SubInterpreterImportText, StringComparison.Ordinal)
            ? exception.PythonMessage + (inSession ? SessionInterpreterImportHint : SubInterpreterImportHint)
            : exception.PythonMessage;

    public static JobError Of(string type, string message) => new(type, message);

    /// <summary>Python's formatted traceback without the host module's frames, with the job's source lines added.</summary>
    private static string Traceback(string formatted, string? fileName, string[]? lines)
    {
        var input = formatted.Split('\n');
        var output = new StringBuilder(formatted.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var line = input[i];
            var match = FrameLine().Match(line);
            if (match.Success && match.Groups["file"].Value == PythonHost.FileName)
            {
                continue;
            }
            output.Append(line);
            if (i < input.Length - 1)
            {
                output.Append('\n');
            }
            if (match.Success && match.Groups["file"].Value == fileName && lines is not null
                && (i + 1 >= input.Length || !input[i + 1].StartsWith("    ", StringComparison.Ordinal))
                && Line(lines, int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture)) is { } text)
            {
                output.Append("    ").Append(text).Append('\n');
            }
        }
        return output.ToString();
    }

    private static string? Line(string[]? lines, int line) =>
        lines is null || line < 1 || line > lines.Length || lines[line - 1].Trim() is not { Length: > 0 } text ? null : text;

    [GeneratedRegex("^  File \"(?<file>[^\"]*)\", line (?<line>[0-9]+)")]
    private static partial Regex FrameLine();
}
