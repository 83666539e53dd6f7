using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

/// <summary>Builds Python objects from JSON: from UTF-8 with <see cref="Utf8JsonReader"/> (no intermediate
/// document), or by walking a <see cref="JsonElement"/>. One instance per conversion.</summary>
/// <remarks>
/// Every method returns a new reference or throws having released everything it created. Array items
/// are collected on a shared stack and moved into a list of the right size at the end, which saves a
/// call per item over appending. Recursion is bounded by <see cref="JsonConversionOptions.MaxDepth"/>.
/// </remarks>
internal sealed unsafe class PyJsonReader : IDisposable
{
    private readonly PythonRuntime _runtime;
    private readonly Builtins _b;
    private readonly int _maxDepth;
    private readonly JsonPath _path;
    private readonly JsonStringDecoder _strings = new();
    private readonly JsonKeyCache _keys = new();
    private nint[] _items = [];
    private int _itemCount;

    private PyJsonReader(PythonRuntime runtime, JsonConversionOptions options)
    {
        _runtime = runtime;
        _b = runtime.Builtins;
        _maxDepth = options.MaxDepth;
        _path = new JsonPath();
    }

    private Python Py => new(_runtime);

    /// <summary>Releases the cached keys (the thread is still attached: the token is on the stack).</summary>
    public void Dispose() => _keys.Dispose();

    public static PyBound Read(Python py, ReadOnlySpan<byte> utf8, JsonConversionOptions options)
    {
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..]; // a UTF-8 byte order mark, as JsonDocument tolerates
        }
        using var state = new PyJsonReader(py.Runtime, options);
        // The reader's own depth limit sits above ours so that ours, with its clearer message, fires first.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = options.MaxDepth + 2 });
        nint result = 0;
        try
        {
            reader.Read();
            result = state.ReadValue(ref reader, 0);
            reader.Read(); // throws on anything but trailing whitespace
            return new PyBound(py, result);
        }
        catch (JsonException ex)
        {
            if (result != 0)
            {
                Objects.Py_DecRef(result);
            }
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
        using var state = new PyJsonReader(py.Runtime, options);
        return new PyBound(py, state.ReadElement(element, 0));
    }

    private nint ReadValue(ref Utf8JsonReader reader, int depth) => reader.TokenType switch
    {
        JsonTokenType.StartObject => ReadObject(ref reader, depth),
        JsonTokenType.StartArray => ReadArray(ref reader, depth),
        JsonTokenType.String => MakeString(reader.ValueSpan, reader.ValueIsEscaped, depth, reader.TokenStartIndex),
        JsonTokenType.Number => MakeNumber(reader.ValueSpan, depth),
        JsonTokenType.True => NewReference(_b.True),
        JsonTokenType.False => NewReference(_b.False),
        _ => NewReference(_b.None), // Null: comments are disallowed, so no other token can start a value
    };

    private nint ReadArray(ref Utf8JsonReader reader, int depth)
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

    private nint ReadObject(ref Utf8JsonReader reader, int depth)
    {
        CheckDepth(depth);
        var dict = Own(Containers.PyDict_New());
        var complete = false;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = MakeKey(reader.ValueSpan, reader.ValueIsEscaped, depth, reader.TokenStartIndex, out var owned);
                try
                {
                    _path.SetKey(depth, key);
                    reader.Read();
                    SetItem(dict, key, ReadValue(ref reader, depth + 1));
                }
                finally
                {
                    if (owned)
                    {
                        Objects.Py_DecRef(key);
                    }
                }
            }
            complete = true;
            return dict;
        }
        finally
        {
            if (!complete)
            {
                Objects.Py_DecRef(dict);
            }
        }
    }

    private nint ReadElement(JsonElement element, int depth)
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

    private nint ReadElementObject(JsonElement element, int depth)
    {
        CheckDepth(depth);
        var dict = Own(Containers.PyDict_New());
        var complete = false;
        try
        {
            foreach (var property in element.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                var key = MakeKey(name, name.Contains((byte)'\\'), depth, -1, out var owned);
                try
                {
                    _path.SetKey(depth, key);
                    SetItem(dict, key, ReadElement(property.Value, depth + 1));
                }
                finally
                {
                    if (owned)
                    {
                        Objects.Py_DecRef(key);
                    }
                }
            }
            complete = true;
            return dict;
        }
        finally
        {
            if (!complete)
            {
                Objects.Py_DecRef(dict);
            }
        }
    }

    /// <summary>Stores <paramref name="value"/> (consumed) under <paramref name="key"/> (borrowed). A repeated key
    /// keeps its first position and takes the last value, as with <c>json.loads</c>.</summary>
    private void SetItem(nint dict, nint key, nint value)
    {
        var status = Containers.PyDict_SetItem(new BorrowedRef(dict), new BorrowedRef(key), new BorrowedRef(value));
        Objects.Py_DecRef(value);
        if (status < 0)
        {
            throw Error();
        }
    }

    /// <summary>An object key: borrowed from the key cache when <paramref name="owned"/> is false, else a new reference.</summary>
    private nint MakeKey(ReadOnlySpan<byte> raw, bool escaped, int depth, long offset, out bool owned)
    {
        owned = escaped; // escaped keys are rare; their raw bytes are not the key's text, so skip the cache
        if (escaped)
        {
            return MakeString(raw, escaped, depth, offset);
        }
        var cached = _keys.Find(raw, out var slot);
        if (cached != 0)
        {
            return cached;
        }
        var str = MakeString(raw, escaped, depth, offset);
        if (slot < 0)
        {
            owned = true;
            return str;
        }
        return _keys.Add(slot, raw, str);
    }

    private nint MakeString(ReadOnlySpan<byte> raw, bool escaped, int depth, long offset)
    {
        var str = _strings.Decode(raw, escaped, out var invalidUtf8);
        if (str != 0)
        {
            return str;
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
    private nint MakeNumber(ReadOnlySpan<byte> text, int depth)
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
    private nint BigInt(ReadOnlySpan<byte> digits, int depth)
    {
        if (digits.Length <= 600)
        {
            var decimalInt = FromString(digits, 10);
            return decimalInt != 0 ? decimalInt : throw Error();
        }
        if (digits.Length > BigIntegerText.MaxDigits + 1)
        {
            var path = Path(depth);
            throw new PythonJsonException(PythonJsonErrorKind.TooLarge,
                $"An integer of {digits.Length} digits at {path} is larger than the {BigIntegerText.MaxDigits} digits Sidewinder reads.", path);
        }
        var value = System.Numerics.BigInteger.Parse(System.Text.Encoding.ASCII.GetString(digits), CultureInfo.InvariantCulture);
        var hexInt = FromString(BigIntegerText.ToPythonHex(value), 16);
        return hexInt != 0 ? hexInt : throw Error();
    }

    private static nint FromString(ReadOnlySpan<byte> digits, int numberBase)
    {
        var buffer = new byte[digits.Length + 1]; // PyLong_FromString wants a NUL-terminated string
        digits.CopyTo(buffer);
        fixed (byte* p = buffer)
        {
            return Scalars.PyLong_FromString(p, null, numberBase).Pointer;
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

    private void Push(nint item)
    {
        if (_itemCount == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(16, _items.Length * 2));
        }
        _items[_itemCount++] = item;
    }

    /// <summary>Moves the items pushed since <paramref name="start"/> into a new list.</summary>
    private nint ListFromItems(int start)
    {
        var count = _itemCount - start;
        var list = Own(Containers.PyList_New(count));
        for (var i = 0; i < count; i++)
        {
            _ = Containers.PyList_SetItem(new BorrowedRef(list), i, new NewRef(_items[start + i])); // steals
        }
        _itemCount = start;
        return list;
    }

    /// <summary>Releases items left above <paramref name="start"/> when a conversion fails part way.</summary>
    private void ReleaseItems(int start)
    {
        while (_itemCount > start)
        {
            Objects.Py_DecRef(_items[--_itemCount]);
        }
    }

    private static nint NewReference(nint singleton)
    {
        Objects.Py_IncRef(new BorrowedRef(singleton));
        return singleton;
    }

    private nint Own(NewRef reference) => reference.IsNull ? throw Error() : reference.Pointer;

    private PythonException Error() => ExceptionBuilder.FromCurrent(Py);

    private string Path(int levels) => _path.Format(levels, key =>
    {
        try
        {
            return new PyBound(Py, key).GetString();
        }
        catch (PythonException)
        {
            return "?";
        }
    });

    private static string FirstSentence(string message)
    {
        // Utf8JsonReader appends its own "LineNumber: n | BytePositionInLine: m." (zero-based); ours is one-based.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
