using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sidewinder.Interop.Json;

namespace Sidewinder.Interop;

public readonly ref partial struct PyBound
{
    /// <summary>Writes the object as one JSON value, straight from the Python objects (no <c>json.dumps</c>).</summary>
    /// <remarks>
    /// <para>Mapping (details and rationale in <c>docs/json-mapping.md</c>):</para>
    /// <list type="bullet">
    /// <item><c>None</c> → <c>null</c>; <c>bool</c> → <c>true</c>/<c>false</c>.</item>
    /// <item><c>int</c> (and subclasses such as IntEnum) → an exact JSON number of any size, whatever
    /// <c>sys.int_max_str_digits</c> says, up to one million digits (then TooLarge).</item>
    /// <item><c>float</c> → shortest round-trip text that reads back as a float (<c>1.0</c>, not <c>1</c>);
    /// NaN and ±Infinity as <see cref="JsonConversionOptions.NonFiniteFloats"/> says (default: the strings
    /// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>).</item>
    /// <item><c>str</c> → string; each surrogate code point becomes U+FFFD, so the output is always valid UTF-8.</item>
    /// <item><c>bytes</c>, <c>bytearray</c> → base64 string.</item>
    /// <item><c>list</c>, <c>tuple</c>, <c>set</c>, <c>frozenset</c> (and subclasses) → array.</item>
    /// <item><c>dict</c> (and subclasses, in <c>items()</c> order) → object. Keys: str as is (surrogates
    /// become U+FFFD); int → decimal digits; float → its repr; True/False/None → "true"/"false"/"null";
    /// anything else → <c>str(key)</c>.</item>
    /// <item><c>datetime.date</c>/<c>time</c>/<c>datetime</c> → <c>isoformat()</c>; <c>decimal.Decimal</c>,
    /// <c>uuid.UUID</c> → <c>str()</c>; dataclass instances → object of their fields; numpy arrays →
    /// <c>tolist()</c>; numpy scalars → <c>item()</c>. These modules are never imported for this.</item>
    /// <item>Anything else → <c>{"$type": "module.QualName", "$repr": "repr, cut to MaxReprLength"}</c>.</item>
    /// </list>
    /// <para>
    /// The writer's own encoder and validation settings apply. <see cref="JsonConversionOptions.MaxOutputBytes"/>
    /// counts the bytes this call adds to the writer; nothing is flushed, so a stream-backed writer holds the
    /// output in memory until the caller flushes it.
    /// </para>
    /// </remarks>
    /// <exception cref="PythonJsonException">A cycle, nesting beyond MaxDepth, output beyond MaxOutputBytes, a
    /// non-finite float with <see cref="NonFiniteFloatHandling.Error"/>, or an int beyond one million digits;
    /// the message and <see cref="PythonJsonException.Path"/> say where.</exception>
    /// <exception cref="PythonException">Python code run by the conversion (<c>__repr__</c>, <c>isoformat</c>, ...) raised.</exception>
    public void WriteJson(Utf8JsonWriter writer, JsonConversionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        NotNull();
        PyJsonWriter.Write(_py.Interpreter, _pointer, writer, options ?? JsonConversionOptions.Default);
    }

    /// <summary>The object as UTF-8 JSON; see <see cref="WriteJson"/> for the mapping.</summary>
    /// <remarks>Compact output, escaped with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: non-ASCII text is
    /// written as UTF-8 rather than <c>\u</c> escapes. Use <see cref="WriteJson"/> with your own writer for other settings.</remarks>
    /// <exception cref="PythonJsonException">See <see cref="WriteJson"/>.</exception>
    /// <exception cref="PythonException">See <see cref="WriteJson"/>.</exception>
    public byte[] ToJsonUtf8(JsonConversionOptions? options = null)
    {
        NotNull();
        using var buffer = new PooledBufferWriter();
        WriteToBuffer(buffer, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The object as a JSON string; see <see cref="WriteJson"/> for the mapping and <see cref="ToJsonUtf8"/> for the format.</summary>
    /// <exception cref="PythonJsonException">See <see cref="WriteJson"/>.</exception>
    /// <exception cref="PythonException">See <see cref="WriteJson"/>.</exception>
    public string ToJson(JsonConversionOptions? options = null)
    {
        NotNull();
        using var buffer = new PooledBufferWriter();
        WriteToBuffer(buffer, options);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void WriteToBuffer(PooledBufferWriter buffer, JsonConversionOptions? options)
    {
        options ??= JsonConversionOptions.Default;
        var writerOptions = new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            MaxDepth = options.MaxDepth + 1,
            SkipValidation = true, // the converter only produces well-formed sequences
        };
        using var writer = new Utf8JsonWriter(buffer, writerOptions);
        PyJsonWriter.Write(_py.Interpreter, _pointer, writer, options);
        writer.Flush();
    }
}
