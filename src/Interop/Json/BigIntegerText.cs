using System.Globalization;
using System.Numerics;
using System.Text;

namespace Sidewinder.Interop.Json;

/// <summary>Exact decimal and hexadecimal text for ints too large for 64 bits.</summary>
/// <remarks>
/// Python refuses int/str conversions of more than 4300 decimal digits by default (a guard against
/// quadratic-time conversions; lifting the limit brings the quadratic cost back on 3.11), but hexadecimal
/// has no limit and is linear. So large ints travel between the runtimes as hex and are converted here. <see cref="BigInteger.ToString()"/> is itself quadratic (over two seconds for 200,000
/// digits), so <see cref="AppendDecimal"/> splits by powers of ten and converts the halves recursively,
/// which brings that case under 100 ms.
/// </remarks>
internal static class BigIntegerText
{
    /// <summary>Largest int, in decimal digits, the converters write or read exactly; beyond it they fail with TooLarge.</summary>
    public const int MaxDigits = 1_000_000;

    private const int DirectDigits = 1000;

    /// <summary>Parses the output of Python's <c>hex()</c> (<c>0x1f</c>, <c>-0x1f</c>).</summary>
    public static BigInteger ParsePythonHex(ReadOnlySpan<byte> text)
    {
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = text[(negative ? 3 : 2)..];
        var chars = new char[digits.Length + 1];
        chars[0] = '0'; // keeps the value non-negative under HexNumber's two's-complement reading
        Encoding.ASCII.GetChars(digits, chars.AsSpan(1));
        var magnitude = BigInteger.Parse(chars, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return negative ? -magnitude : magnitude;
    }

    /// <summary>ASCII hex digits with an optional leading minus, as <c>int(text, 16)</c> accepts.</summary>
    public static byte[] ToPythonHex(BigInteger value)
    {
        var text = BigInteger.Abs(value).ToString("x", CultureInfo.InvariantCulture);
        return Encoding.ASCII.GetBytes(value.Sign < 0 ? "-" + text : text);
    }

    /// <summary>Upper bound on the decimal digits of a number with <paramref name="hexDigits"/> hex digits.</summary>
    public static long DecimalDigitsForHex(long hexDigits) => (long)Math.Ceiling(hexDigits * Log10Of16) + 1;

    /// <summary>Lower bound on the decimal digits of a number with <paramref name="hexDigits"/> hex digits (it is at least 16^(n-1)).</summary>
    public static long MinDecimalDigitsForHex(long hexDigits) => (long)Math.Floor((hexDigits - 1) * Log10Of16 * 0.999999) + 1;

    private const double Log10Of16 = 1.2041199826559248;

    /// <summary>Exact decimal digits (with a leading minus for negatives) as UTF-8.</summary>
    public static byte[] ToDecimalUtf8(BigInteger value)
    {
        var builder = new StringBuilder();
        if (value.Sign < 0)
        {
            builder.Append('-');
            value = BigInteger.Negate(value);
        }
        var powers = new Dictionary<int, BigInteger>();
        AppendDecimal(builder, value, width: 0, powers);
        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    // width 0: no padding (the leading part); otherwise exactly `width` digits, zero-padded.
    private static void AppendDecimal(StringBuilder builder, BigInteger value, int width, Dictionary<int, BigInteger> powers)
    {
        if ((width > 0 && width <= DirectDigits) || (width == 0 && value < PowerOfTen(DirectDigits, powers)))
        {
            var text = value.ToString(CultureInfo.InvariantCulture);
            if (width > 0)
            {
                builder.Append('0', width - text.Length);
            }
            builder.Append(text);
            return;
        }
        // Any split point is correct because the low half is padded to its exact width; halving the
        // estimated digit count keeps the recursion balanced.
        var digits = width > 0 ? width : (int)Math.Ceiling(BigInteger.Log10(value) + 1e-9);
        var low = digits / 2;
        var high = BigInteger.DivRem(value, PowerOfTen(low, powers), out var remainder);
        AppendDecimal(builder, high, width > 0 ? digits - low : 0, powers);
        AppendDecimal(builder, remainder, low, powers);
    }

    private static BigInteger PowerOfTen(int exponent, Dictionary<int, BigInteger> powers)
    {
        if (!powers.TryGetValue(exponent, out var power))
        {
            power = BigInteger.Pow(10, exponent);
            powers[exponent] = power;
        }
        return power;
    }
}
