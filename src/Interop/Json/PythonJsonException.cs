namespace Sidewinder.Interop;

/// <summary>A Python/JSON conversion was refused: a limit was hit, the data cannot be represented, or the JSON is invalid.</summary>
/// <remarks>
/// Errors raised by Python code during a conversion (a failing <c>__repr__</c> or <c>isoformat</c>) are reported
/// as <see cref="PythonException"/> instead. <see cref="Path"/> locates the problem with a JSON-path-like
/// expression: <c>$</c> is the root, <c>.name</c> or <c>["odd key"]</c> an object member, <c>[3]</c> an array item.
/// </remarks>
public sealed class PythonJsonException : Exception
{
    /// <summary>Creates an exception of kind <see cref="PythonJsonErrorKind.Unsupported"/>.</summary>
    public PythonJsonException()
        : this(PythonJsonErrorKind.Unsupported, "The value could not be converted.", null)
    {
    }

    /// <summary>Creates an exception of kind <see cref="PythonJsonErrorKind.Unsupported"/>.</summary>
    public PythonJsonException(string message)
        : this(PythonJsonErrorKind.Unsupported, message, null)
    {
    }

    /// <summary>Creates an exception of kind <see cref="PythonJsonErrorKind.Unsupported"/>.</summary>
    public PythonJsonException(string message, Exception? innerException)
        : this(PythonJsonErrorKind.Unsupported, message, null, innerException)
    {
    }

    /// <summary>Creates an exception.</summary>
    public PythonJsonException(PythonJsonErrorKind kind, string message, string? path, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>What went wrong.</summary>
    public PythonJsonErrorKind Kind { get; }

    /// <summary>Where it went wrong, e.g. <c>$.items[3].name</c>; null when there is no meaningful location.</summary>
    public string? Path { get; }
}

/// <summary>Why a Python/JSON conversion failed.</summary>
public enum PythonJsonErrorKind
{
    /// <summary>A container contains itself (directly or through others) on the path being converted.</summary>
    Cycle,

    /// <summary>Nesting deeper than <see cref="JsonConversionOptions.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>Output larger than <see cref="JsonConversionOptions.MaxOutputBytes"/>, or an int too large to write.</summary>
    TooLarge,

    /// <summary>NaN or an infinity with <see cref="NonFiniteFloatHandling.Error"/>.</summary>
    NonFiniteFloat,

    /// <summary>The input is not valid JSON (or not valid UTF-8).</summary>
    InvalidJson,

    /// <summary>The value cannot be converted at all.</summary>
    Unsupported,
}
