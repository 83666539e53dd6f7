using System.Globalization;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

internal sealed unsafe partial class PyJsonWriter
{
    // Utf8JsonWriter rejects string tokens above roughly 1e9 / 6 bytes (room for worst-case escaping);
    // refuse them first with TooLarge rather than surfacing its ArgumentException.
    private const long MaxStringBytes = 1_000_000_000 / 6;

    private void WriteStr(nint str, int depth)
    {
        nint size;
        var utf8 = Unicode.PyUnicode_AsUTF8AndSize(new BorrowedRef(str), &size);
        if (utf8 is null)
        {
            // UnicodeEncodeError: lone surrogates have no UTF-8 form.
            Errors.PyErr_Clear();
            WriteSurrogateStr(str, depth);
            return;
        }
        if (size > MaxStringBytes)
        {
            ThrowTooLarge(depth);
        }
        Reserve(size + 2, depth);
        _writer.WriteStringValue(new ReadOnlySpan<byte>(utf8, (int)size));
        CheckSize(depth);
    }

    /// <summary>Writes a str containing lone surrogates the way <c>json.dumps</c> does: as <c>\uXXXX</c> escapes.</summary>
    /// <remarks>Utf8JsonWriter would replace them with U+FFFD, losing them, so the literal is escaped by hand and
    /// written raw. Everything outside printable ASCII, and the characters HTML-aware encoders escape, is written as
    /// an escape, so the result is valid whatever encoder the writer was configured with.</remarks>
    private void WriteSurrogateStr(nint str, int depth)
    {
        var text = new PyBound(Py, str).GetString(); // utf-16 with surrogatepass: keeps the lone surrogates
        Reserve(text.Length + 2L, depth);
        var literal = new StringBuilder(text.Length + 16).Append('"');
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`'))
            {
                literal.Append(c);
            }
            else
            {
                literal.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }
        literal.Append('"');
        Reserve(literal.Length, depth);
        _writer.WriteRawValue(Encoding.ASCII.GetBytes(literal.ToString()), skipInputValidation: true);
        CheckSize(depth);
    }

    private void WriteInt(nint value, int depth)
    {
        int overflow;
        var small = Scalars.PyLong_AsLongLongAndOverflow(new BorrowedRef(value), &overflow);
        if (overflow == 0)
        {
            if (small == -1 && !Errors.PyErr_Occurred().IsNull)
            {
                throw Error();
            }
            _writer.WriteNumberValue(small);
        }
        else
        {
            _writer.WriteRawValue(BigIntDigits(value, depth), skipInputValidation: true);
        }
        CheckSize(depth);
    }

    /// <summary>Exact decimal digits of an int that does not fit in 64 bits.</summary>
    /// <remarks>Python's own int-to-decimal conversion is refused past <c>sys.int_max_str_digits</c> and is quadratic on
    /// 3.11 if that limit is lifted, so the digits come from <c>PyNumber_ToBase(n, 16)</c> (linear, unlimited, and
    /// blind to any <c>__str__</c> override of an int subclass) and are converted here: 128-bit values directly,
    /// larger ones by <see cref="BigIntegerText"/> up to <see cref="BigIntegerText.MaxDigits"/> digits.</remarks>
    private byte[] BigIntDigits(nint value, int depth)
    {
        using var hex = Py.Own(Objects.PyNumber_ToBase(new BorrowedRef(value), 16));
        var text = Utf8Of(hex.Pointer);
        var negative = text[0] == (byte)'-';
        var hexDigits = text[(negative ? 3 : 2)..]; // after "0x" or "-0x"
        if (hexDigits.Length <= 32)
        {
            var magnitude = UInt128.Parse(hexDigits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            Span<byte> digits = stackalloc byte[41];
            var length = 0;
            if (negative)
            {
                digits[length++] = (byte)'-';
            }
            magnitude.TryFormat(digits[length..], out var written, default, CultureInfo.InvariantCulture);
            return digits[..(length + written)].ToArray();
        }
        var estimate = BigIntegerText.DecimalDigitsForHex(hexDigits.Length);
        if (estimate > BigIntegerText.MaxDigits)
        {
            throw Failure(PythonJsonErrorKind.TooLarge,
                $"An int of about {estimate} decimal digits is larger than the {BigIntegerText.MaxDigits} digits Sidewinder writes", depth);
        }
        Reserve(BigIntegerText.MinDecimalDigitsForHex(hexDigits.Length), depth);
        return BigIntegerText.ToDecimalUtf8(BigIntegerText.ParsePythonHex(text));
    }

    private ReadOnlySpan<byte> Utf8Of(nint str)
    {
        nint size;
        var utf8 = Unicode.PyUnicode_AsUTF8AndSize(new BorrowedRef(str), &size);
        return utf8 is null ? throw Error() : new ReadOnlySpan<byte>(utf8, checked((int)size));
    }

    private void WriteFloat(nint value, int depth)
    {
        var number = Scalars.PyFloat_AsDouble(new BorrowedRef(value));
        if (number == -1.0 && !Errors.PyErr_Occurred().IsNull)
        {
            throw Error();
        }
        if (double.IsFinite(number))
        {
            Span<byte> text = stackalloc byte[40];
            _writer.WriteRawValue(text[..FormatFloat(number, text)], skipInputValidation: true);
        }
        else
        {
            switch (_options.NonFiniteFloats)
            {
                case NonFiniteFloatHandling.Null:
                    _writer.WriteNullValue();
                    break;
                case NonFiniteFloatHandling.Error:
                    throw Failure(PythonJsonErrorKind.NonFiniteFloat,
                        $"The float {Encoding.ASCII.GetString(NonFiniteName(number))} has no JSON representation (NonFiniteFloats is Error)", depth);
                default:
                    _writer.WriteStringValue(NonFiniteName(number));
                    break;
            }
        }
        CheckSize(depth);
    }

    /// <summary>Shortest round-trip text that still reads back as a float: <c>1.0</c>, not <c>1</c> (as Python's repr).</summary>
    private static int FormatFloat(double number, Span<byte> text)
    {
        number.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        if (text[..written].IndexOfAny((byte)'.', (byte)'E', (byte)'e') < 0)
        {
            text[written++] = (byte)'.';
            text[written++] = (byte)'0';
        }
        return written;
    }

    private static ReadOnlySpan<byte> NonFiniteName(double number) =>
        double.IsNaN(number) ? "NaN"u8 : number > 0 ? "Infinity"u8 : "-Infinity"u8;

    private void WriteBytes(nint bytes, int depth)
    {
        byte* buffer;
        nint length;
        if (Native.Bytes.PyBytes_AsStringAndSize(new BorrowedRef(bytes), &buffer, &length) < 0)
        {
            throw Error();
        }
        var encoded = (length + 2) / 3 * 4;
        if (encoded > MaxStringBytes)
        {
            ThrowTooLarge(depth);
        }
        Reserve(encoded + 2, depth);
        _writer.WriteBase64StringValue(new ReadOnlySpan<byte>(buffer, (int)length));
        CheckSize(depth);
    }

    // A bytearray's buffer can be resized (or, free-threaded, mutated by another thread) under us;
    // a bytes snapshot cannot.
    private void WriteByteArray(nint byteArray, int depth)
    {
        var copy = Native.Bytes.PyBytes_FromObject(new BorrowedRef(byteArray)).Pointer;
        if (copy == 0)
        {
            throw Error();
        }
        try
        {
            WriteBytes(copy, depth);
        }
        finally
        {
            Objects.Py_DecRef(copy);
        }
    }

    /// <summary>Writes a str key straight from its UTF-8 buffer; false (error cleared) for any other key or a str with lone surrogates.</summary>
    private bool TryWriteStrKey(nint key)
    {
        nint size;
        var utf8 = Unicode.PyUnicode_AsUTF8AndSize(new BorrowedRef(key), &size);
        if (utf8 is null)
        {
            Errors.PyErr_Clear();
            return false;
        }
        _writer.WritePropertyName(new ReadOnlySpan<byte>(utf8, checked((int)size)));
        return true;
    }

    /// <summary>Keys that are not UTF-8-encodable str: written as <c>json.dumps</c> would, or as <c>str(key)</c>.</summary>
    private void WriteOtherKey(nint key, int depth)
    {
        _writer.WritePropertyName(OtherKeyText(key, depth, describeOnly: false));
        CheckSize(depth);
    }

    /// <summary>The JSON member name for a non-str (or surrogate-holding str) key, as UTF-8; lone surrogates become U+FFFD
    /// because a member name cannot be written raw. With <paramref name="describeOnly"/> no Python code is run.</summary>
    private byte[] OtherKeyText(nint key, int depth, bool describeOnly)
    {
        if (key == _b.None)
        {
            return "null"u8.ToArray();
        }
        if (key == _b.True || key == _b.False)
        {
            return (key == _b.True ? "true"u8 : "false"u8).ToArray();
        }
        var flags = Objects.PyType_GetFlags(new BorrowedRef(TypeOf(key)));
        if ((flags & Objects.Py_TPFLAGS_UNICODE_SUBCLASS) != 0)
        {
            return Encoding.UTF8.GetBytes(new PyBound(Py, key).GetString()); // replaces lone surrogates
        }
        if ((flags & Objects.Py_TPFLAGS_LONG_SUBCLASS) != 0)
        {
            int overflow;
            var small = Scalars.PyLong_AsLongLongAndOverflow(new BorrowedRef(key), &overflow);
            if (overflow == 0)
            {
                return Encoding.ASCII.GetBytes(small.ToString(CultureInfo.InvariantCulture));
            }
            return describeOnly ? "<int>"u8.ToArray() : BigIntDigits(key, depth);
        }
        if (IsSubtype(TypeOf(key), _b.FloatType))
        {
            var number = Scalars.PyFloat_AsDouble(new BorrowedRef(key));
            if (!double.IsFinite(number))
            {
                return NonFiniteName(number).ToArray();
            }
            Span<byte> text = stackalloc byte[40];
            return text[..FormatFloat(number, text)].ToArray();
        }
        if (describeOnly)
        {
            return "<key>"u8.ToArray();
        }
        using var str = Py.Own(Objects.PyObject_Str(new BorrowedRef(key)));
        return Encoding.UTF8.GetBytes(str.GetString());
    }

    /// <summary>Key text for error paths; runs no Python code, so it is safe while unwinding.</summary>
    private string DescribeKey(nint key)
    {
        try
        {
            nint size;
            var utf8 = Unicode.PyUnicode_AsUTF8AndSize(new BorrowedRef(key), &size);
            if (utf8 is not null)
            {
                return Encoding.UTF8.GetString(utf8, checked((int)size));
            }
            Errors.PyErr_Clear();
            return Encoding.UTF8.GetString(OtherKeyText(key, 0, describeOnly: true));
        }
        catch (PythonException)
        {
            return "?";
        }
    }
}
