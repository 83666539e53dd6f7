using System.Globalization;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Conversion;

/// <summary>The .NET types the JSON mapping writes as strings, converted to the Python types it reads them from:
/// <c>DateTime</c>/<c>DateTimeOffset</c> ⇄ <c>datetime.datetime</c>, <c>DateOnly</c> ⇄ <c>date</c>, <c>TimeOnly</c> ⇄
/// <c>time</c>, <c>TimeSpan</c> ⇄ <c>timedelta</c>, <c>decimal</c> ⇄ <c>decimal.Decimal</c>, <c>Guid</c> ⇄ <c>uuid.UUID</c>.</summary>
/// <remarks>
/// Python keeps microseconds, .NET 100 ns ticks: sub-microsecond ticks are truncated on the way in. A
/// <see cref="DateTimeKind.Utc"/> <c>DateTime</c> becomes an aware datetime in UTC, a <c>Local</c> one is converted to
/// UTC first, an <c>Unspecified</c> one stays naive; reading an aware datetime gives a UTC <c>DateTime</c>.
/// </remarks>
internal static class ClrTypeConverters
{
    private static readonly Dictionary<Type, object> s_converters = new()
    {
        [typeof(DateTime)] = new DateTimeConverter(),
        [typeof(DateTimeOffset)] = new DateTimeOffsetConverter(),
        [typeof(DateOnly)] = new DateOnlyConverter(),
        [typeof(TimeOnly)] = new TimeOnlyConverter(),
        [typeof(TimeSpan)] = new TimeSpanConverter(),
        [typeof(decimal)] = new DecimalConverter(),
        [typeof(Guid)] = new GuidConverter(),
    };

    public static object? For(Type type) => s_converters.GetValueOrDefault(type);

    private const long TicksPerMicrosecond = 10;

    /// <summary><c>module.name(*ints, tz)</c>; <paramref name="last"/> is appended when not null.</summary>
    private static unsafe PyBound Construct(Python py, string module, string name, scoped ReadOnlySpan<long> ints, scoped PyBound last = default)
    {
        using var mod = py.Import(module);
        using var type = mod.GetAttr(name);
        var count = ints.Length + (last.IsNull ? 0 : 1);
        using var args = py.Own(Containers.PyTuple_New(count));
        for (var i = 0; i < ints.Length; i++)
        {
            _ = Containers.PyTuple_SetItem(args.Borrow(), i, Scalars.PyLong_FromLongLong(ints[i]));
        }
        if (!last.IsNull)
        {
            var item = last.Borrow().NewReference();
            _ = Containers.PyTuple_SetItem(args.Borrow(), ints.Length, item.Steal());
        }
        return py.Own(Objects.PyObject_Call(type.Borrow(), args.Borrow(), BorrowedRef.Null));
    }

    private static void Require(PyBound obj, string module, string name)
    {
        var py = obj.Py;
        using var mod = py.Import(module);
        using var type = mod.GetAttr(name);
        if (!obj.IsInstance(type))
        {
            throw ConversionErrors.Expected(module + "." + name, obj);
        }
    }

    private static long Int(PyBound obj, string attribute)
    {
        using var value = obj.GetAttr(attribute);
        return value.GetInt64();
    }

    private static PyBound UtcOffsetZone(Python py, TimeSpan offset)
    {
        using var delta = Construct(py, "datetime", "timedelta", [0, (long)offset.TotalSeconds]);
        return Construct(py, "datetime", "timezone", [], delta);
    }

    private static PyBound DateTimeOf(Python py, DateTime value, scoped PyBound zone) =>
        Construct(py, "datetime", "datetime",
            [value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second, value.Ticks % TimeSpan.TicksPerSecond / TicksPerMicrosecond],
            zone);

    /// <summary>A datetime's fields as a .NET DateTime, and its UTC offset when aware.</summary>
    private static (DateTime Value, TimeSpan? Offset) ReadDateTime(PyBound obj)
    {
        Require(obj, "datetime", "datetime");
        var value = new DateTime((int)Int(obj, "year"), (int)Int(obj, "month"), (int)Int(obj, "day"),
            (int)Int(obj, "hour"), (int)Int(obj, "minute"), (int)Int(obj, "second"), DateTimeKind.Unspecified)
            .AddTicks(Int(obj, "microsecond") * TicksPerMicrosecond);
        using var offset = obj.CallMethod("utcoffset");
        return (value, offset.IsNone ? null : TimeSpanConverter.Read(offset));
    }

    private sealed class DateTimeConverter : Converter<DateTime>
    {
        public override PyBound ToPython(Python py, DateTime value)
        {
            if (value.Kind == DateTimeKind.Unspecified)
            {
                return DateTimeOf(py, value, default);
            }
            using var utc = UtcOffsetZone(py, TimeSpan.Zero);
            return DateTimeOf(py, value.ToUniversalTime(), utc);
        }

        public override DateTime FromPython(PyBound obj)
        {
            var (value, offset) = ReadDateTime(obj);
            return offset is { } o ? DateTime.SpecifyKind(value - o, DateTimeKind.Utc) : value;
        }
    }

    private sealed class DateTimeOffsetConverter : Converter<DateTimeOffset>
    {
        public override PyBound ToPython(Python py, DateTimeOffset value)
        {
            using var zone = UtcOffsetZone(py, value.Offset);
            return DateTimeOf(py, value.DateTime, zone);
        }

        public override DateTimeOffset FromPython(PyBound obj)
        {
            var (value, offset) = ReadDateTime(obj);
            return offset is { } o
                ? new DateTimeOffset(value, o)
                : throw new InvalidCastException("A naive datetime has no UTC offset; read it as DateTime.");
        }
    }

    private sealed class DateOnlyConverter : Converter<DateOnly>
    {
        public override PyBound ToPython(Python py, DateOnly value) => Construct(py, "datetime", "date", [value.Year, value.Month, value.Day]);

        public override DateOnly FromPython(PyBound obj)
        {
            Require(obj, "datetime", "date");
            return new DateOnly((int)Int(obj, "year"), (int)Int(obj, "month"), (int)Int(obj, "day"));
        }
    }

    private sealed class TimeOnlyConverter : Converter<TimeOnly>
    {
        public override PyBound ToPython(Python py, TimeOnly value) =>
            Construct(py, "datetime", "time", [value.Hour, value.Minute, value.Second, value.Ticks % TimeSpan.TicksPerSecond / TicksPerMicrosecond]);

        public override TimeOnly FromPython(PyBound obj)
        {
            Require(obj, "datetime", "time");
            return new TimeOnly((int)Int(obj, "hour"), (int)Int(obj, "minute"), (int)Int(obj, "second")).Add(TimeSpan.FromTicks(Int(obj, "microsecond") * TicksPerMicrosecond));
        }
    }

    private sealed class TimeSpanConverter : Converter<TimeSpan>
    {
        public override PyBound ToPython(Python py, TimeSpan value) => Construct(py, "datetime", "timedelta", [0, 0, value.Ticks / TicksPerMicrosecond]);

        public override TimeSpan FromPython(PyBound obj)
        {
            Require(obj, "datetime", "timedelta");
            return Read(obj);
        }

        public static TimeSpan Read(PyBound delta) =>
            TimeSpan.FromTicks(checked(((Int(delta, "days") * 86_400 + Int(delta, "seconds")) * 1_000_000 + Int(delta, "microseconds")) * TicksPerMicrosecond));
    }

    private sealed class DecimalConverter : Converter<decimal>
    {
        public override PyBound ToPython(Python py, decimal value)
        {
            using var mod = py.Import("decimal");
            using var type = mod.GetAttr("Decimal");
            using var text = py.Str(value.ToString(CultureInfo.InvariantCulture));
            return type.Call(text);
        }

        public override decimal FromPython(PyBound obj)
        {
            if (!obj.IsInstanceOf<PyInt>())
            {
                Require(obj, "decimal", "Decimal");
            }
            return decimal.Parse(obj.Str(), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
    }

    private sealed class GuidConverter : Converter<Guid>
    {
        public override PyBound ToPython(Python py, Guid value)
        {
            using var mod = py.Import("uuid");
            using var type = mod.GetAttr("UUID");
            using var text = py.Str(value.ToString("D"));
            return type.Call(text);
        }

        public override Guid FromPython(PyBound obj)
        {
            Require(obj, "uuid", "UUID");
            return Guid.Parse(obj.Str(), CultureInfo.InvariantCulture);
        }
    }
}
