using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

/// <summary>Turns the raw (possibly escaped) UTF-8 of a JSON string token into a Python <c>str</c>.</summary>
/// <remarks>
/// <see cref="System.Text.Json.Utf8JsonReader"/> accepts <c>\uD800</c>-style lone surrogate escapes while
/// reading but throws when asked to unescape them, and Python's <c>json.loads</c> keeps them, so the unescaping
/// is done here. Strings without lone surrogates are unescaped to UTF-8 and decoded strictly by Python; the
/// rare string with one is decoded to UTF-16 instead (literal text still strictly validated) and passed to
/// Python with <c>surrogatepass</c>, which keeps the surrogate as a code point.
/// </remarks>
internal sealed unsafe class JsonStringDecoder
{
    private byte[] _bytes = []; // grown on the first escaped string

    /// <summary>A new reference to the str, or null with a Python error set; <paramref name="invalidUtf8"/> when the text is not UTF-8.</summary>
    public NewRef Decode(ReadOnlySpan<byte> raw, bool escaped, out bool invalidUtf8)
    {
        invalidUtf8 = false;
        var text = raw;
        if (escaped)
        {
            if (_bytes.Length < raw.Length)
            {
                _bytes = new byte[Math.Max(Math.Max(raw.Length, 256), _bytes.Length * 2)];
            }
            var written = UnescapeToUtf8(raw, _bytes);
            if (written < 0)
            {
                return DecodeWithSurrogates(raw, out invalidUtf8);
            }
            text = _bytes.AsSpan(0, written);
        }
        fixed (byte* p = text)
        {
            var str = Unicode.PyUnicode_FromStringAndSize(p, text.Length);
            invalidUtf8 = str.IsNull && !Utf8.IsValid(text);
            return str;
        }
    }

    /// <summary>Unescapes into <paramref name="destination"/> (never longer than the input); -1 on a lone surrogate.</summary>
    private static int UnescapeToUtf8(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var written = 0;
        while (true)
        {
            var backslash = raw.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                raw.CopyTo(destination[written..]);
                return written + raw.Length;
            }
            raw[..backslash].CopyTo(destination[written..]);
            written += backslash;
            var codePoint = ReadEscape(ref raw, backslash);
            if (codePoint < 0)
            {
                return -1;
            }
            written += new Rune(codePoint).EncodeToUtf8(destination[written..]);
        }
    }

    private NewRef DecodeWithSurrogates(ReadOnlySpan<byte> raw, out bool invalidUtf8)
    {
        invalidUtf8 = false;
        var chars = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            var written = 0;
            while (true)
            {
                var backslash = raw.IndexOf((byte)'\\');
                var literal = backslash < 0 ? raw : raw[..backslash];
                if (Utf8.ToUtf16(literal, chars.AsSpan(written), out _, out var count, replaceInvalidSequences: false) != OperationStatus.Done)
                {
                    invalidUtf8 = true;
                    return default;
                }
                written += count;
                if (backslash < 0)
                {
                    break;
                }
                var codePoint = ReadEscape(ref raw, backslash);
                if (codePoint < 0)
                {
                    chars[written++] = (char)-codePoint; // the lone surrogate itself
                }
                else
                {
                    written += new Rune(codePoint).EncodeToUtf16(chars.AsSpan(written));
                }
            }
            var byteOrder = -1; // little endian, as .NET chars are on every supported platform
            fixed (char* p = chars)
            fixed (byte* errors = "surrogatepass"u8)
            {
                return Unicode.PyUnicode_DecodeUTF16((byte*)p, written * 2, errors, &byteOrder);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Reads the escape at <paramref name="backslash"/> and advances <paramref name="raw"/> past it.
    /// Returns the code point, or the negated value of a lone surrogate. The reader has already checked the syntax.</summary>
    private static int ReadEscape(ref ReadOnlySpan<byte> raw, int backslash)
    {
        var kind = raw[backslash + 1];
        if (kind != (byte)'u')
        {
            raw = raw[(backslash + 2)..];
            return kind switch
            {
                (byte)'b' => '\b',
                (byte)'f' => '\f',
                (byte)'n' => '\n',
                (byte)'r' => '\r',
                (byte)'t' => '\t',
                _ => kind, // \" \\ \/
            };
        }
        var unit = Hex4(raw.Slice(backslash + 2, 4));
        raw = raw[(backslash + 6)..];
        if (unit is < 0xD800 or > 0xDFFF)
        {
            return unit;
        }
        if (unit <= 0xDBFF && raw.Length >= 6 && raw[0] == (byte)'\\' && raw[1] == (byte)'u')
        {
            var low = Hex4(raw.Slice(2, 4));
            if (low is >= 0xDC00 and <= 0xDFFF)
            {
                raw = raw[6..];
                return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            }
        }
        return -unit;
    }

    private static int Hex4(ReadOnlySpan<byte> digits)
    {
        _ = Utf8Parser.TryParse(digits, out ushort value, out _, 'x');
        return value;
    }
}
