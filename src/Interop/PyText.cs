using System.Runtime.InteropServices;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>How a Python <c>str</c> leaves Python: always as valid Unicode.</summary>
/// <remarks>
/// <para>
/// A Python str is a sequence of code points and may hold surrogates (U+D800–U+DFFF) as code points of their own,
/// e.g. from <c>surrogateescape</c> decoding or <c>'\ud800'</c>. UTF-8 cannot encode them and strict UTF-16
/// consumers (System.Text.Json, browsers) reject them, so every str that Interop turns into .NET text or JSON has each
/// surrogate code point replaced with U+FFFD, one for one. Two surrogates that would form a UTF-16 pair are still two
/// code points in Python, so they become two U+FFFD, not the character the pair would spell.
/// </para>
/// <para>
/// Fast path: CPython's cached UTF-8 form (<c>PyUnicode_AsUTF8AndSize</c>), which fails only for a str with
/// surrogates (UnicodeEncodeError) or a non-str. Only then the code points are read (UTF-32 with <c>surrogatepass</c>)
/// and replaced. The failed fast path's error is always cleared, so no Python error is left set.
/// </para>
/// </remarks>
internal static unsafe class PyText
{
    private const char Replacement = '\uFFFD';

    /// <summary>CPython's cached UTF-8 of a str; false (error cleared) when it has none: a str with surrogates, or not a str.</summary>
    public static bool TryGetUtf8(BorrowedRef str, out ReadOnlySpan<byte> utf8)
    {
        nint size;
        var buffer = Unicode.PyUnicode_AsUTF8AndSize(str, &size);
        if (buffer is null)
        {
            Errors.PyErr_Clear();
            utf8 = default;
            return false;
        }
        utf8 = new ReadOnlySpan<byte>(buffer, checked((int)size));
        return true;
    }

    /// <summary>The text of a str with surrogates replaced; throws the Python error (TypeError for a non-str).</summary>
    public static string Read(Python py, BorrowedRef str)
    {
        if (TryGetUtf8(str, out var utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }
        using var codePoints = py.Own(EncodeCodePoints(str));
        return FromCodePoints(codePoints.GetBytesSpan());
    }

    /// <summary>Like <see cref="Read"/> but never throws: null for a non-str or any failure (errors cleared).</summary>
    public static string? TryRead(BorrowedRef str)
    {
        if (TryGetUtf8(str, out var utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }
        using var codePoints = EncodeCodePoints(str).Own();
        if (codePoints.IsNull)
        {
            Errors.PyErr_Clear();
            return null;
        }
        byte* buffer;
        nint length;
        if (Native.Bytes.PyBytes_AsStringAndSize(codePoints.Borrow(), &buffer, &length) < 0)
        {
            Errors.PyErr_Clear();
            return null;
        }
        return FromCodePoints(new ReadOnlySpan<byte>(buffer, checked((int)length)));
    }

    /// <summary>A .NET string with every unpaired UTF-16 surrogate replaced with U+FFFD (returned as is when it has none).</summary>
    /// <remarks>For text that comes from .NET rather than from Python (source lines the caller passed in).</remarks>
    public static string ReplaceLoneSurrogates(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0)
        {
            return text;
        }
        return string.Create(text.Length, text, static (chars, source) =>
        {
            source.CopyTo(chars);
            for (var i = 0; i < chars.Length; i++)
            {
                if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(chars[i]))
                {
                    chars[i] = Replacement;
                }
            }
        });
    }

    private static NewRef EncodeCodePoints(BorrowedRef str)
    {
        fixed (byte* encoding = "utf-32-le"u8)
        fixed (byte* errors = "surrogatepass"u8)
        {
            return Unicode.PyUnicode_AsEncodedString(str, encoding, errors);
        }
    }

    private static string FromCodePoints(ReadOnlySpan<byte> utf32)
    {
        var codePoints = MemoryMarshal.Cast<byte, int>(utf32);
        var builder = new StringBuilder(codePoints.Length);
        Span<char> pair = stackalloc char[2];
        foreach (var codePoint in codePoints)
        {
            if (Rune.TryCreate(codePoint, out var rune))
            {
                builder.Append(pair[..rune.EncodeToUtf16(pair)]);
            }
            else
            {
                builder.Append(Replacement); // a surrogate code point
            }
        }
        return builder.ToString();
    }
}
