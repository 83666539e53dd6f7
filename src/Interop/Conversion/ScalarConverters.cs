using System.Numerics;

namespace Sidewinder.Interop.Conversion;

/// <summary>Numbers, bool, char, string, BigInteger, byte[] and <see cref="PyOwned"/>: no reflection needed.</summary>
/// <remarks>Integers follow PyO3's <c>extract</c>: any object with <c>__index__</c> (bool included), out of range is
/// <see cref="OverflowException"/>; a float is a TypeError, not truncated. Floats accept ints (Python's <c>float()</c>
/// rule for <c>__float__</c>/<c>__index__</c>). A bool must be <c>True</c> or <c>False</c>.</remarks>
internal static class ScalarConverters
{
    private static readonly Dictionary<Type, object> s_converters = new()
    {
        [typeof(bool)] = new BoolConverter(),
        [typeof(sbyte)] = new IntegerConverter<sbyte>(),
        [typeof(byte)] = new IntegerConverter<byte>(),
        [typeof(short)] = new IntegerConverter<short>(),
        [typeof(ushort)] = new IntegerConverter<ushort>(),
        [typeof(int)] = new IntegerConverter<int>(),
        [typeof(uint)] = new IntegerConverter<uint>(),
        [typeof(long)] = new IntegerConverter<long>(),
        [typeof(ulong)] = new UInt64Converter(),
        [typeof(float)] = new SingleConverter(),
        [typeof(double)] = new DoubleConverter(),
        [typeof(char)] = new CharConverter(),
        [typeof(string)] = new StringConverter(),
        [typeof(BigInteger)] = new BigIntegerConverter(),
        [typeof(byte[])] = new BytesConverter(),
        [typeof(PyOwned)] = new OwnedConverter(),
    };

    public static object? For(Type type) => s_converters.GetValueOrDefault(type);

    private sealed class BoolConverter : Converter<bool>
    {
        public override PyBound ToPython(Python py, bool value) => py.Bool(value);
        public override bool FromPython(PyBound obj) => obj.GetBoolean();
    }

    private sealed class IntegerConverter<T> : Converter<T>
        where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        public override PyBound ToPython(Python py, T value) => py.Int(long.CreateTruncating(value));

        public override T FromPython(PyBound obj)
        {
            var value = obj.GetInt64();
            return value < long.CreateTruncating(T.MinValue) || (typeof(T) != typeof(long) && value > long.CreateTruncating(T.MaxValue))
                ? throw ConversionErrors.OutOfRange(value, typeof(T))
                : T.CreateTruncating(value);
        }
    }

    private sealed class UInt64Converter : Converter<ulong>
    {
        public override PyBound ToPython(Python py, ulong value) => py.Int(value);

        public override ulong FromPython(PyBound obj)
        {
            var value = obj.GetBigInteger();
            return value < 0 || value > ulong.MaxValue ? throw ConversionErrors.OutOfRange(value, typeof(ulong)) : (ulong)value;
        }
    }

    private sealed class SingleConverter : Converter<float>
    {
        public override PyBound ToPython(Python py, float value) => py.Float(value);
        public override float FromPython(PyBound obj) => (float)obj.GetDouble();
    }

    private sealed class DoubleConverter : Converter<double>
    {
        public override PyBound ToPython(Python py, double value) => py.Float(value);
        public override double FromPython(PyBound obj) => obj.GetDouble();
    }

    private sealed class CharConverter : Converter<char>
    {
        public override PyBound ToPython(Python py, char value) => py.Str([value]);

        public override char FromPython(PyBound obj)
        {
            var text = obj.GetString();
            return text.Length == 1 ? text[0] : throw new InvalidCastException($"Expected a str of one UTF-16 code unit, got {text.Length}.");
        }
    }

    private sealed class StringConverter : Converter<string>
    {
        public override PyBound ToPython(Python py, string value) => value is null ? py.None : py.Str(value);

        public override string FromPython(PyBound obj) =>
            obj.IsInstanceOf<PyStr>() ? obj.GetString() : throw ConversionErrors.Expected("str", obj);
    }

    private sealed class BigIntegerConverter : Converter<BigInteger>
    {
        public override PyBound ToPython(Python py, BigInteger value) => py.Int(value);
        public override BigInteger FromPython(PyBound obj) => obj.GetBigInteger();
    }

    private sealed class BytesConverter : Converter<byte[]>
    {
        public override PyBound ToPython(Python py, byte[] value) => value is null ? py.None : py.Bytes(value);

        public override byte[] FromPython(PyBound obj)
        {
            if (obj.IsInstanceOf<PyBytes>())
            {
                return obj.GetBytes();
            }
            // bytearray, memoryview, array.array, numpy: any contiguous buffer, copied.
            using var buffer = PyBuffer.Get(obj, writable: false);
            return buffer.RawBytes().ToArray();
        }
    }

    private sealed class OwnedConverter : Converter<PyOwned>
    {
        public override PyBound ToPython(Python py, PyOwned value) => value is null ? py.None : value.Bind(py);
        public override PyOwned FromPython(PyBound obj) => obj.ToOwned();
    }
}
