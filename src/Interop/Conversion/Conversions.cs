using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;

namespace Sidewinder.Interop;

public readonly ref partial struct Python
{
    /// <summary>A new Python object for a .NET value (PyO3's <c>into_pyobject</c>); see docs/interop.md for the table of
    /// types. Arrays and lists of <c>int</c>, <c>long</c> and <c>double</c> take a bulk path.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no conversion (implement <see cref="IToPython{TSelf}"/>).</exception>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public PyBound ToPython<T>(T value) => Converters<T>.Instance.ToPython(this, value);

    /// <summary>A <c>list</c> of ints from a span, without per-item handles.</summary>
    public PyList List(scoped ReadOnlySpan<long> values) => new(BulkConversions.ListOf(this, values));

    /// <summary>A <c>list</c> of ints from a span, without per-item handles.</summary>
    public PyList List(scoped ReadOnlySpan<int> values) => new(BulkConversions.ListOf(this, values));

    /// <summary>A <c>list</c> of floats from a span, without per-item handles.</summary>
    public PyList List(scoped ReadOnlySpan<double> values) => new(BulkConversions.ListOf(this, values));
}

public readonly ref partial struct PyBound
{
    /// <summary>The .NET value of this object (PyO3's <c>extract</c>). A wrong type throws
    /// <see cref="InvalidCastException"/> or the <see cref="PythonException"/> (<c>TypeError</c>) Python raised.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no conversion (implement <see cref="IFromPython{TSelf}"/>).</exception>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T Extract<T>()
    {
        NotNull();
        return Converters<T>.Instance.FromPython(this);
    }

    /// <summary>The items of any sequence or iterable of numbers (not <c>str</c>) as a <c>double[]</c>, in one pass
    /// without per-item handles.</summary>
    public double[] ToDoubleArray()
    {
        NotNull();
        return BulkConversions.ReadDoubles(this);
    }

    /// <summary>The items of any sequence or iterable of ints (not <c>str</c>) as a <c>long[]</c>, in one pass.</summary>
    public long[] ToInt64Array()
    {
        NotNull();
        return BulkConversions.ReadInt64s(this);
    }
}
