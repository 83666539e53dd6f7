using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Sidewinder.Interop.Conversion;

/// <summary>One conversion in both directions for a .NET type <typeparamref name="T"/>.</summary>
internal abstract class Converter<T>
{
    /// <summary>A new Python object for <paramref name="value"/>.</summary>
    public abstract PyBound ToPython(Python py, T value);

    /// <summary>The .NET value of <paramref name="obj"/> (borrowed).</summary>
    public abstract T FromPython(PyBound obj);
}

/// <summary>The converter for each type, resolved on first use and cached in a static generic field.</summary>
internal static class Converters<T>
{
    private static Converter<T>? s_instance;

    public static Converter<T> Instance
    {
        [RequiresDynamicCode(ConversionAot.Reason)]
        [RequiresUnreferencedCode(ConversionAot.Reason)]
        get => s_instance ??= Resolve();
    }

    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    private static Converter<T> Resolve()
    {
        if (ScalarConverters.For(typeof(T)) is Converter<T> scalar)
        {
            return scalar;
        }
        if (ClrTypeConverters.For(typeof(T)) is Converter<T> clr)
        {
            return clr;
        }
        return (Converter<T>)(CompositeConverters.For(typeof(T))
            ?? UserConverters.For(typeof(T))
            ?? throw new NotSupportedException(
                $"No Python conversion for {typeof(T)}: implement IToPython<{typeof(T).Name}> and/or IFromPython<{typeof(T).Name}> on it."));
    }
}

/// <summary>Resolves user types that implement <see cref="IToPython{TSelf}"/> / <see cref="IFromPython{TSelf}"/>.</summary>
internal static class UserConverters
{
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public static object? For(Type type)
    {
        var to = typeof(IToPython<>).MakeGenericType(type).IsAssignableFrom(type);
        var from = typeof(IFromPython<>).MakeGenericType(type).IsAssignableFrom(type);
        var converter = (to, from) switch
        {
            (true, true) => typeof(BothWays<>),
            (true, false) => typeof(ToOnly<>),
            (false, true) => typeof(FromOnly<>),
            _ => null,
        };
        return converter is null ? null : Activator.CreateInstance(converter.MakeGenericType(type));
    }

    private sealed class BothWays<T> : Converter<T>
        where T : IToPython<T>, IFromPython<T>
    {
        public override PyBound ToPython(Python py, T value) => T.ToPython(py, value);
        public override T FromPython(PyBound obj) => T.FromPython(obj);
    }

    private sealed class ToOnly<T> : Converter<T>
        where T : IToPython<T>
    {
        public override PyBound ToPython(Python py, T value) => T.ToPython(py, value);
        public override T FromPython(PyBound obj) =>
            throw new NotSupportedException($"{typeof(T)} implements IToPython but not IFromPython.");
    }

    private sealed class FromOnly<T> : Converter<T>
        where T : IFromPython<T>
    {
        public override PyBound ToPython(Python py, T value) =>
            throw new NotSupportedException($"{typeof(T)} implements IFromPython but not IToPython.");
        public override T FromPython(PyBound obj) => T.FromPython(obj);
    }
}

/// <summary>Error text shared by the converters.</summary>
internal static class ConversionErrors
{
    public static InvalidCastException Expected(string expected, PyBound obj) =>
        new($"Expected {expected}, got {obj.TypeName}.");

    public static OverflowException OutOfRange(BigInteger value, Type target) =>
        new($"Python int {value} does not fit in {target.Name}.");
}
