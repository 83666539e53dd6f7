using System.Text.Json;
using Sidewinder.Interop.Json;

namespace Sidewinder.Interop;

public readonly ref partial struct Python
{
    /// <summary>Builds Python objects from UTF-8 JSON, read directly with <see cref="Utf8JsonReader"/>.</summary>
    /// <remarks>
    /// <para>Mapping (details in <c>docs/json-mapping.md</c>):</para>
    /// <list type="bullet">
    /// <item><c>null</c> → <c>None</c>; <c>true</c>/<c>false</c> → <c>bool</c>.</item>
    /// <item>string → <c>str</c>; <c>\uD800</c>-style lone surrogate escapes are kept as lone surrogates, as <c>json.loads</c> does.</item>
    /// <item>A number without fraction or exponent → <c>int</c> of any size, exactly, whatever <c>sys.int_max_str_digits</c>
    /// says (up to one million digits); any other number → <c>float</c> (1e400 becomes inf).</item>
    /// <item>array → <c>list</c>; object → <c>dict</c> in document order; a repeated key keeps its first position and its last value.</item>
    /// </list>
    /// <para>Comments, trailing commas, NaN literals and trailing content are rejected; a leading UTF-8 byte order mark is skipped.</para>
    /// </remarks>
    /// <returns>A new reference to the root object.</returns>
    /// <exception cref="PythonJsonException"><see cref="PythonJsonErrorKind.InvalidJson"/> (with line and byte position),
    /// <see cref="PythonJsonErrorKind.TooDeep"/> beyond <see cref="JsonConversionOptions.MaxDepth"/>, or
    /// <see cref="PythonJsonErrorKind.TooLarge"/> for an integer beyond one million digits.</exception>
    public PyBound FromJson(ReadOnlySpan<byte> utf8Json, JsonConversionOptions? options = null) =>
        PyJsonReader.Read(this, utf8Json, options ?? JsonConversionOptions.Default);

    /// <summary>Builds Python objects from a parsed <see cref="JsonElement"/>, with the mapping of
    /// <see cref="FromJson(ReadOnlySpan{byte}, JsonConversionOptions?)"/>.</summary>
    /// <returns>A new reference to the root object.</returns>
    /// <exception cref="ArgumentException"><paramref name="element"/> is <c>default</c>.</exception>
    /// <exception cref="PythonJsonException">As for the UTF-8 overload (InvalidJson only for text that is not UTF-8).</exception>
    public PyBound FromJson(JsonElement element, JsonConversionOptions? options = null) =>
        PyJsonReader.Read(this, element, options ?? JsonConversionOptions.Default);
}
