using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

/// <summary>Builds Python objects from JSON: from UTF-8 with <see cref="Utf8JsonReader"/> (no intermediate
/// document), or by walking a <see cref="JsonElement"/>. One instance per conversion.</summary>
/// <remarks>
/// Every method returns an <see cref="OwnedRef"/> or throws having released everything it created. Array
/// items are collected on a shared stack of owned references and moved (stolen) into a list of the right
/// size at the end, which saves a call per item over appending. Recursion is bounded by <see cref="JsonConversionOptions.MaxDepth"/>.
/// </remarks>
internal sealed unsafe class PyJsonReader : IDisposable
{
    private readonly PythonInterpreter _interpreter;
    private readonly Builtins _b;
    private readonly int _maxDepth;
    private readonly JsonPath _path;
    private readonly JsonStringDecoder _strings = new();
    private readonly JsonKeyCache _keys = new();
    private NewRef[] _items = []; // owned: moved into a list by ListFromItems, else released by ReleaseItems
    private int _itemCount;

    private PyJsonReader(PythonInterpreter interpreter, JsonConversionOptions options)
    {
        _interpreter = interpreter;
        _b = interpreter.Runtime.Builtins;
        _maxDepth = options.MaxDepth;
        _path = new JsonPath();
    }

    private Python Py => new(_interpreter);

    /// <summary>Releases the cached keys (the thread is still attached: the token is on the stack).</summary>
    public void Dispose() => _keys.Dispose();

    public static PyBound Read(Python py, ReadOnlySpan<byte> utf8, JsonConversionOptions options)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..]; // a UTF-8 byte order mark, as JsonDocument tolerates
        }
        using var state = new PyJsonReader(py.Interpreter, options);
        // The reader's own depth limit sits above ours so that ours, with its clearer message, fires first.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = options.MaxDepth + 2 });
        var result = default(OwnedRef);
        try
        {
            reader.Read();
            result = state.ReadValue(ref reader, 0);
            reader.Read(); // throws on anything but trailing whitespace
            return new PyBound(py, result.Steal());
        }
        catch (JsonException ex)
        {
            result.Dispose();
            throw new PythonJsonException(PythonJsonErrorKind.InvalidJson,
                $"Invalid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {FirstSentence(ex.Message)}", null, ex);
        }
    }

    public static PyBound Read(Python py, JsonElement element, JsonConversionOptions options)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The JsonElement is default (Undefined); it holds no JSON value.", nameof(element));
        }
        using var state = new PyJsonReader(py.Interpreter, options);
        var result = state.ReadElement(element, 0);
        return new PyBound(py, result.Steal());
    }

    private OwnedRef ReadValue(scoped ref Utf8JsonReader reader, int depth) => reader.TokenType switch
    {
        JsonTokenType.StartObject => ReadObject(ref reader, depth),
        JsonTokenType.StartArray => ReadArray(ref reader, depth),
        JsonTokenType.String => MakeString(reader.ValueSpan, reader.ValueIsEscaped, depth, reader.TokenStartIndex),
        JsonTokenType.Number => MakeNumber(reader.ValueSpan, depth),
        JsonTokenType.True => NewReference(_b.True),
        JsonTokenType.False => NewReference(_b.False),
        _ => NewReference(_b.None), // Null: comments are disallowed, so no other token can start a value
    };

    private OwnedRef ReadArray(scoped ref Utf8JsonReader reader, int depth)
    {
        CheckDepth(depth);
        _path.BeginArray(depth);
        var start = _itemCount;
        try
        {
            long index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                _path.SetIndex(depth, index++);
                Push(ReadValue(ref reader, depth + 1));
            }
            return ListFromItems(start);
        }
        finally
        {
            ReleaseItems(start);
        }
    }

    private OwnedRef ReadObject(scoped ref Utf8JsonReader reader, int depth)
    {
        CheckDepth(depth);
        var dict = Own(Containers.PyDict_New());
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = MakeKey(reader.ValueSpan, reader.ValueIsEscaped, depth, reader.TokenStartIndex, out var ownedKey);
                using (ownedKey)
                {
                    _path.SetKey(depth, key.Pointer);
                    reader.Read();
                    SetItem(dict.Borrow(), key, ReadValue(ref reader, depth + 1));
                }
            }
        }
        catch
        {
            dict.Dispose();
            throw;
        }
        return dict;
    }

    private OwnedRef ReadElement(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                return ReadElementObject(element, depth);
            case JsonValueKind.Array:
                CheckDepth(depth);
                _path.BeginArray(depth);
                var start = _itemCount;
                try
                {
                    long index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        _path.SetIndex(depth, index++);
                        Push(ReadElement(item, depth + 1));
                    }
                    return ListFromItems(start);
                }
                finally
                {
                    ReleaseItems(start);
                }
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                var inner = raw[1..^1]; // without the quotes
                return MakeString(inner, inner.Contains((byte)'\\'), depth, -1);
            case JsonValueKind.Number:
                return MakeNumber(JsonMarshal.GetRawUtf8Value(element), depth);
            case JsonValueKind.True:
                return NewReference(_b.True);
            case JsonValueKind.False:
                return NewReference(_b.False);
            default:
                return NewReference(_b.None);
        }
    }

    private OwnedRef ReadElementObject(JsonElement element, int depth)
    {
        CheckDepth(depth);
        var dict = Own(Containers.PyDict_New());
        try
        {
            foreach (var property in element.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                var key = MakeKey(name, name.Contains((byte)'\\'), depth, -1, out var ownedKey);
                using (ownedKey)
                {
                    _path.SetKey(depth, key.Pointer);
                    SetItem(dict.Borrow(), key, ReadElement(property.Value, depth + 1));
                }
            }
        }
        catch
        {
            dict.Dispose();
            throw;
        }
        return dict;
    }

    /// <summary>Stores <paramref name="value"/> (released here) under <paramref name="key"/>. A repeated key
    /// keeps its first position and takes the last value, as with <c>json.loads</c>.</summary>
    private void SetItem(BorrowedRef dict, BorrowedRef key, OwnedRef value)
    {
        var status = Containers.PyDict_SetItem(dict, key, value.Borrow());
        value.Dispose();
        if (status < 0)
        {
            throw Error();
        }
    }

    /// <summary>An object key. A key from the key cache is lent out (borrowed, <paramref name="owned"/> null); any other is
    /// a new reference held in <paramref name="owned"/>, which the caller disposes.</summary>
    private BorrowedRef MakeKey(ReadOnlySpan<byte> raw, bool escaped, int depth, long offset, out OwnedRef owned)
    {
        owned = default;
        if (escaped)
        {
            // Escaped keys are rare; their raw bytes are not the key's text, so they skip the cache.
            owned = MakeString(raw, escaped, depth, offset);
            return owned.Borrow();
        }
        var cached = _keys.Find(raw, out var slot);
        if (cached != 0)
        {
            return new BorrowedRef(cached);
        }
        var str = MakeString(raw, escaped, depth, offset);
        if (slot < 0)
        {
            owned = str;
            return owned.Borrow();
        }
        return new BorrowedRef(_keys.Add(slot, raw, str.Steal()));
    }

    private OwnedRef MakeString(ReadOnlySpan<byte> raw, bool escaped, int depth, long offset)
    {
        var str = _strings.Decode(raw, escaped, out var invalidUtf8);
        if (!str.IsNull)
        {
            return str.Own();
        }
        if (!invalidUtf8)
        {
            throw Error();
        }
        Errors.PyErr_Clear();
        var path = Path(depth);
        var where = offset >= 0 ? $" (byte offset {offset})" : "";
        throw new PythonJsonException(PythonJsonErrorKind.InvalidJson, $"Invalid JSON: a string at {path}{where} is not valid UTF-8.", path);
    }

    /// <summary>Integer literals (no fraction or exponent) become exact ints of any size; others floats
    /// (overflowing to infinity as in <c>json.loads</c>).</summary>
    private OwnedRef MakeNumber(ReadOnlySpan<byte> text, int depth)
    {
        if (text.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
        {
            _ = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number);
            return Own(Scalars.PyFloat_FromDouble(number));
        }
        if (System.Buffers.Text.Utf8Parser.TryParse(text, out long small, out var consumed) && consumed == text.Length)
        {
            return Own(Scalars.PyLong_FromLongLong(small));
        }
        return BigInt(text, depth);
    }

    /// <remarks>Up to 600 digits Python parses the decimal itself: that is always within <c>sys.int_max_str_digits</c>
    /// (whose smallest allowed setting is 640) and cheap. Longer literals go through <see cref="System.Numerics.BigInteger"/>
    /// and hex, which Python parses in linear time whatever the limit says.</remarks>
    private OwnedRef BigInt(ReadOnlySpan<byte> digits, int depth)
    {
        if (digits.Length <= 600)
        {
            return Own(FromString(digits, 10));
        }
        if (digits.Length > BigIntegerText.MaxDigits + 1)
        {
            var path = Path(depth);
            throw new PythonJsonException(PythonJsonErrorKind.TooLarge,
                $"An integer of {digits.Length} digits at {path} is larger than the {BigIntegerText.MaxDigits} digits Sidewinder reads.", path);
        }
        var value = System.Numerics.BigInteger.Parse(System.Text.Encoding.ASCII.GetString(digits), CultureInfo.InvariantCulture);
        return Own(FromString(BigIntegerText.ToPythonHex(value), 16));
    }

    private static NewRef FromString(ReadOnlySpan<byte> digits, int numberBase)
    {
        var buffer = new byte[digits.Length + 1]; // PyLong_FromString wants a NUL-terminated string
        digits.CopyTo(buffer);
        fixed (byte* p = buffer)
        {
            return Scalars.PyLong_FromString(p, null, numberBase);
        }
    }

    private void CheckDepth(int depth)
    {
        if (depth >= _maxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            var path = Path(depth);
            var limit = depth >= _maxDepth ? $"MaxDepth ({_maxDepth})" : "this thread's stack allows";
            throw new PythonJsonException(PythonJsonErrorKind.TooDeep, $"JSON nesting deeper than {limit} at {path}.", path);
        }
    }

    /// <summary>Moves <paramref name="item"/> onto the item stack, which owns it from then on.</summary>
    private void Push(OwnedRef item)
    {
        if (_itemCount == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(16, _items.Length * 2));
        }
        _items[_itemCount++] = item.Steal();
    }

    /// <summary>Moves the items pushed since <paramref name="start"/> into a new list.</summary>
    private OwnedRef ListFromItems(int start)
    {
        var count = _itemCount - start;
        var list = Own(Containers.PyList_New(count));
        for (var i = 0; i < count; i++)
        {
            _ = Containers.PyList_SetItem(list.Borrow(), i, _items[start + i]); // steals
        }
        _itemCount = start;
        return list;
    }

    /// <summary>Releases items left above <paramref name="start"/> when a conversion fails part way.</summary>
    private void ReleaseItems(int start)
    {
        while (_itemCount > start)
        {
            _items[--_itemCount].Release();
        }
    }

    private static OwnedRef NewReference(nint singleton) => new BorrowedRef(singleton).NewReference();

    private OwnedRef Own(NewRef reference) => reference.IsNull ? throw Error() : reference.Own();

    private PythonException Error() => ExceptionBuilder.FromCurrent(Py);

    private string Path(int levels) => _path.Format(levels, static key => PyText.TryRead(new BorrowedRef(key)) ?? "?");

    private static string FirstSentence(string message)
    {
        // Utf8JsonReader appends its own "LineNumber: n | BytePositionInLine: m." (zero-based); ours is one-based.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
