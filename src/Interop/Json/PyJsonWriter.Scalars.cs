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
        if (!PyText.TryGetUtf8(new BorrowedRef(str), out var utf8))
        {
            WriteStrWithSurrogates(str, depth);
            return;
        }
        if (utf8.Length > MaxStringBytes)
        {
            ThrowTooLarge(depth);
        }
        Reserve(utf8.Length + 2L, depth);
        _writer.WriteStringValue(utf8);
        CheckSize(depth);
    }

    /// <summary>A str with surrogate code points, which have no UTF-8 form: each becomes U+FFFD (see <see cref="PyText"/>),
    /// so every strict JSON parser accepts the output.</summary>
    private void WriteStrWithSurrogates(nint str, int depth)
    {
        var text = PyText.Read(Py, new BorrowedRef(str));
        if (text.Length > MaxStringBytes)
        {
            ThrowTooLarge(depth);
        }
        Reserve(text.Length + 2L, depth);
        _writer.WriteStringValue(text);
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
        using var copy = Own(Native.Bytes.PyBytes_FromObject(new BorrowedRef(byteArray)));
        WriteBytes(copy.Pointer, depth);
    }

    /// <summary>Writes a str key straight from its UTF-8 buffer; false (error cleared) for any other key or a str with surrogates.</summary>
    private bool TryWriteStrKey(nint key)
    {
        if (!PyText.TryGetUtf8(new BorrowedRef(key), out var utf8))
        {
            return false;
        }
        _writer.WritePropertyName(utf8);
        return true;
    }

    /// <summary>Keys that are not UTF-8-encodable str: written as <c>json.dumps</c> would, or as <c>str(key)</c>.</summary>
    private void WriteOtherKey(nint key, int depth)
    {
        _writer.WritePropertyName(OtherKeyText(key, depth, describeOnly: false));
        CheckSize(depth);
    }

    /// <summary>The JSON member name for a non-str (or surrogate-holding str) key, as UTF-8; surrogates become U+FFFD
    /// (<see cref="PyText"/>). With <paramref name="describeOnly"/> no Python code is run.</summary>
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
            return Encoding.UTF8.GetBytes(PyText.Read(Py, new BorrowedRef(key)));
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
            return PyText.TryGetUtf8(new BorrowedRef(key), out var utf8)
                ? Encoding.UTF8.GetString(utf8)
                : Encoding.UTF8.GetString(OtherKeyText(key, 0, describeOnly: true));
        }
        catch (PythonException)
        {
            return "?";
        }
    }
}
