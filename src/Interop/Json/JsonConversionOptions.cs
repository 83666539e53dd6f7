namespace Sidewinder.Interop;

/// <summary>Limits and choices for converting between Python objects and JSON
/// (<see cref="PyBound.WriteJson"/>, <see cref="PyBound.ToJson"/>, <see cref="Python.FromJson(ReadOnlySpan{byte}, JsonConversionOptions?)"/>).</summary>
/// <remarks>
/// The full mapping is described in <c>docs/json-mapping.md</c>. An instance may be shared by many threads
/// once configured; <see cref="Default"/> is read-only.
/// </remarks>
public sealed class JsonConversionOptions
{
    /// <summary>Deepest nesting Sidewinder accepts, in either direction; far beyond what any sane document
    /// needs, and shallow enough that the recursive converters stay well inside a 1 MB stack.</summary>
    public const int MaxSupportedDepth = 1000;

    private readonly bool _readOnly;
    private NonFiniteFloatHandling _nonFiniteFloats = NonFiniteFloatHandling.String;
    private int _maxDepth = 128;
    private long _maxOutputBytes = 16 * 1024 * 1024;
    private int _maxReprLength = 1000;

    /// <summary>Creates options with the documented defaults.</summary>
    public JsonConversionOptions()
    {
    }

    private JsonConversionOptions(bool readOnly) => _readOnly = readOnly;

    /// <summary>The defaults, read-only (setting a property throws <see cref="InvalidOperationException"/>).</summary>
    public static JsonConversionOptions Default { get; } = new(readOnly: true);

    /// <summary>How a float NaN, Infinity or -Infinity is written; JSON has no literal for them.
    /// Default <see cref="NonFiniteFloatHandling.String"/>: the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.</summary>
    public NonFiniteFloatHandling NonFiniteFloats
    {
        get => _nonFiniteFloats;
        set
        {
            ThrowIfReadOnly();
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown NonFiniteFloatHandling value.");
            }
            _nonFiniteFloats = value;
        }
    }

    /// <summary>Deepest container nesting allowed in either direction (a bare scalar is depth 0, <c>[[1]]</c> is 2);
    /// deeper input fails with <see cref="PythonJsonErrorKind.TooDeep"/>. Default 128; at most <see cref="MaxSupportedDepth"/>.</summary>
    /// <remarks>This bound is what keeps the recursive converters from overflowing the stack.</remarks>
    public int MaxDepth
    {
        get => _maxDepth;
        set
        {
            ThrowIfReadOnly();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxSupportedDepth);
            _maxDepth = value;
        }
    }

    /// <summary>Largest JSON output, in UTF-8 bytes, a Python-to-JSON conversion may produce before it fails with
    /// <see cref="PythonJsonErrorKind.TooLarge"/>. Default 16 MiB.</summary>
    public long MaxOutputBytes
    {
        get => _maxOutputBytes;
        set
        {
            ThrowIfReadOnly();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxOutputBytes = value;
        }
    }

    /// <summary>Longest <c>repr()</c> kept in the fallback object written for an unsupported type
    /// (<c>{"$type": ..., "$repr": ...}</c>), in UTF-16 code units; longer text is cut and ends with "…". Default 1000.</summary>
    public int MaxReprLength
    {
        get => _maxReprLength;
        set
        {
            ThrowIfReadOnly();
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxReprLength = value;
        }
    }

    private void ThrowIfReadOnly()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("JsonConversionOptions.Default is read-only; create a new JsonConversionOptions to change settings.");
        }
    }
}

/// <summary>What to write for a float that JSON cannot represent (NaN, Infinity, -Infinity).</summary>
public enum NonFiniteFloatHandling
{
    /// <summary>The JSON strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c> (Python's spelling).</summary>
    String,

    /// <summary>JSON <c>null</c>.</summary>
    Null,

    /// <summary>Throw <see cref="PythonJsonException"/> with <see cref="PythonJsonErrorKind.NonFiniteFloat"/>.</summary>
    Error,
}
