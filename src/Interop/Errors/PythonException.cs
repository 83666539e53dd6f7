using System.Text;

namespace Sidewinder.Interop;

/// <summary>One frame of a Python traceback.</summary>
/// <param name="File">The code's filename (<c>co_filename</c>), e.g. <c>&lt;run&gt;</c> or a script path.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Function">The function name (<c>co_name</c>), <c>&lt;module&gt;</c> for top-level code.</param>
/// <param name="Source">The stripped source line when it is known, else null.</param>
public sealed record PythonFrame(string File, int Line, string Function, string? Source);

/// <summary>A Python exception, copied into .NET while attached so it can be inspected on any thread.</summary>
/// <remarks>
/// Carries the qualified type name, <c>str(exc)</c>, the traceback frames and the <c>__cause__</c> /
/// <c>__context__</c> chain. It never holds Python objects, and never copies frame locals or globals,
/// which can contain secrets.
/// </remarks>
public class PythonException : Exception
{
    /// <summary>Creates an exception from already-extracted parts.</summary>
    public PythonException(string pythonType, string pythonMessage, IReadOnlyList<PythonFrame> frames,
        PythonException? cause = null, PythonException? context = null, bool suppressContext = false, int omittedFrames = 0)
        : base(Compose(pythonType, pythonMessage), cause ?? (suppressContext ? null : context))
    {
        PythonType = pythonType;
        PythonMessage = pythonMessage;
        Frames = frames;
        Cause = cause;
        Context = context;
        SuppressContext = suppressContext;
        OmittedFrames = omittedFrames;
    }

    /// <summary>Qualified type name as Python prints it: <c>ZeroDivisionError</c> for built-ins and classes defined in <c>__main__</c> (user code), <c>json.decoder.JSONDecodeError</c> otherwise.</summary>
    public string PythonType { get; }

    /// <summary><c>str(exc)</c>.</summary>
    public string PythonMessage { get; }

    /// <summary>The names of the exception type and its bases (<c>__mro__</c>), spelt like <see cref="PythonType"/>:
    /// <c>KeyError</c>, <c>LookupError</c>, <c>Exception</c>, <c>BaseException</c>, <c>object</c>. Empty for an exception
    /// created in .NET.</summary>
    public IReadOnlyList<string> PythonTypeHierarchy { get; internal set; } = [];

    /// <summary>Whether the Python exception is an instance of the named type, subclasses included, like
    /// <c>except ValueError:</c> — <c>ex.Is("LookupError")</c> is true for a <c>KeyError</c>. Names are spelt as in
    /// <see cref="PythonType"/> (built-ins bare, others with their module: <c>json.decoder.JSONDecodeError</c>).</summary>
    public bool Is(string pythonType) =>
        PythonType == pythonType || PythonTypeHierarchy.Contains(pythonType, StringComparer.Ordinal);

    /// <summary>Whether the Python exception is an instance of <paramref name="type"/> (a type object), subclasses included.</summary>
    public bool Is(Python py, PyBound type)
    {
        _ = py;
        return Is(type.Cast<PyType>().Name);
    }

    /// <summary>An exception to throw from .NET code that Python calls: it is raised in Python as
    /// <paramref name="pythonType"/> (a built-in name such as <c>ValueError</c>, or <c>module.Name</c> of an importable
    /// exception class) with <paramref name="message"/>.</summary>
    public static PythonException Raise(string pythonType, string message) => new(pythonType, message, []);

    /// <summary>Traceback frames, outermost first (as Python prints them).</summary>
    public IReadOnlyList<PythonFrame> Frames { get; }

    /// <summary>Frames left out of the middle of a very deep traceback (e.g. RecursionError).</summary>
    public int OmittedFrames { get; }

    /// <summary><c>__cause__</c> (<c>raise ... from ...</c>).</summary>
    public PythonException? Cause { get; }

    /// <summary><c>__context__</c> (raised while handling another exception).</summary>
    public PythonException? Context { get; }

    /// <summary><c>__suppress_context__</c>.</summary>
    public bool SuppressContext { get; }

    /// <summary>The traceback formatted as Python prints it, including the cause/context chain.</summary>
    public string FormattedTraceback
    {
        get
        {
            var builder = new StringBuilder();
            FormatChain(builder);
            return builder.ToString();
        }
    }

    private void FormatChain(StringBuilder builder)
    {
        if (Cause is not null)
        {
            Cause.FormatChain(builder);
            builder.Append("\nThe above exception was the direct cause of the following exception:\n\n");
        }
        else if (Context is not null && !SuppressContext)
        {
            Context.FormatChain(builder);
            builder.Append("\nDuring handling of the above exception, another exception occurred:\n\n");
        }
        FormatSelf(builder);
    }

    /// <summary>Formats this exception alone (no chain).</summary>
    protected virtual void FormatSelf(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Frames.Count > 0)
        {
            builder.Append("Traceback (most recent call last):\n");
            var half = Frames.Count / 2;
            for (var i = 0; i < Frames.Count; i++)
            {
                if (OmittedFrames > 0 && i == half)
                {
                    builder.Append("  [... ").Append(OmittedFrames).Append(" more frames ...]\n");
                }
                var frame = Frames[i];
                builder.Append("  File \"").Append(frame.File).Append("\", line ").Append(frame.Line).Append(", in ").Append(frame.Function).Append('\n');
                if (!string.IsNullOrEmpty(frame.Source))
                {
                    builder.Append("    ").Append(frame.Source).Append('\n');
                }
            }
        }
        builder.Append(Compose(PythonType, PythonMessage)).Append('\n');
    }

    private static string Compose(string type, string message) => message.Length == 0 ? type : type + ": " + message;
}

/// <summary>A <c>SyntaxError</c> (or subclass such as <c>IndentationError</c>) with its location.</summary>
public sealed class PythonSyntaxError : PythonException
{
    /// <summary>Creates the exception.</summary>
    public PythonSyntaxError(string pythonType, string pythonMessage, IReadOnlyList<PythonFrame> frames,
        string? fileName, int? line, int? offset, int? endLine, int? endOffset, string? text, string detail)
        : base(pythonType, pythonMessage, frames)
    {
        FileName = fileName;
        Line = line;
        Offset = offset;
        EndLine = endLine;
        EndOffset = endOffset;
        Text = text;
        Detail = detail;
    }

    /// <summary>The filename given to compile.</summary>
    public string? FileName { get; }

    /// <summary>1-based line of the error.</summary>
    public int? Line { get; }

    /// <summary>1-based column (character offset) of the error.</summary>
    public int? Offset { get; }

    /// <summary>1-based end line, when Python reports one.</summary>
    public int? EndLine { get; }

    /// <summary>1-based end column, when Python reports one.</summary>
    public int? EndOffset { get; }

    /// <summary>The offending source line.</summary>
    public string? Text { get; }

    /// <summary>The bare message (<c>msg</c>), without the location suffix <c>str()</c> adds.</summary>
    public string Detail { get; }

    /// <inheritdoc />
    protected override void FormatSelf(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Frames.Count > 0)
        {
            builder.Append("Traceback (most recent call last):\n");
            foreach (var frame in Frames)
            {
                builder.Append("  File \"").Append(frame.File).Append("\", line ").Append(frame.Line).Append(", in ").Append(frame.Function).Append('\n');
            }
        }
        builder.Append("  File \"").Append(FileName ?? "<unknown>").Append("\", line ").Append(Line ?? 0).Append('\n');
        if (Text is not null)
        {
            var line = Text.TrimEnd('\n', '\r');
            var trimmed = line.TrimStart();
            var indent = line.Length - trimmed.Length;
            builder.Append("    ").Append(trimmed).Append('\n');
            if (Offset is int offset && offset > 0)
            {
                var start = Math.Max(0, offset - 1 - indent);
                var width = EndOffset is int end && EndLine == Line && end > offset ? end - offset : 1;
                builder.Append("    ").Append(' ', start).Append('^', width).Append('\n');
            }
        }
        builder.Append(PythonType).Append(": ").Append(Detail).Append('\n');
    }
}
