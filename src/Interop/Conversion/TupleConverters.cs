using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Conversion;

/// <summary><c>ValueTuple</c>s of two to four items ⇄ Python tuples of exactly that length.</summary>
internal static class TupleConverters
{
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public static object? For(Type definition, Type[] args)
    {
        if (definition == typeof(ValueTuple<,>))
        {
            return CompositeConverters.Create(typeof(Pair<,>), args);
        }
        if (definition == typeof(ValueTuple<,,>))
        {
            return CompositeConverters.Create(typeof(Triple<,,>), args);
        }
        return definition == typeof(ValueTuple<,,,>) ? CompositeConverters.Create(typeof(Quadruple<,,,>), args) : null;
    }

    /// <summary>Item <paramref name="index"/> of a tuple of exactly <paramref name="length"/> items, borrowed.</summary>
    private static PyBound Item(PyBound tuple, int length, int index)
    {
        if (index == 0)
        {
            var flags = tuple.TypeFlags();
            var size = (flags & Objects.Py_TPFLAGS_TUPLE_SUBCLASS) != 0 ? Containers.PyTuple_Size(tuple.Borrow()) : -1;
            if (size != length)
            {
                throw ConversionErrors.Expected($"a tuple of {length} items", tuple);
            }
        }
        return PyBound.Borrowed(tuple.Py, Containers.PyTuple_GetItem(tuple.Borrow(), index).Pointer);
    }

    private static PyBound Build(Python py, scoped ReadOnlySpan<nint> items)
    {
        var tuple = py.Own(Containers.PyTuple_New(items.Length));
        for (var i = 0; i < items.Length; i++)
        {
            _ = Containers.PyTuple_SetItem(tuple.Borrow(), i, new NewRef(items[i]));
        }
        return tuple;
    }

    private const string Justification = "Resolved when this converter was, under the same annotations.";

    private sealed class Pair<T1, T2> : Converter<(T1, T2)>
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
        public override PyBound ToPython(Python py, (T1, T2) value)
        {
            using var a = Converters<T1>.Instance.ToPython(py, value.Item1);
            using var b = Converters<T2>.Instance.ToPython(py, value.Item2);
            return Build(py, [a.Clone().Steal().Pointer, b.Clone().Steal().Pointer]);
        }

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
        public override (T1, T2) FromPython(PyBound obj) =>
            (Converters<T1>.Instance.FromPython(Item(obj, 2, 0)), Converters<T2>.Instance.FromPython(Item(obj, 2, 1)));
    }

    private sealed class Triple<T1, T2, T3> : Converter<(T1, T2, T3)>
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
        public override PyBound ToPython(Python py, (T1, T2, T3) value)
        {
            using var a = Converters<T1>.Instance.ToPython(py, value.Item1);
            using var b = Converters<T2>.Instance.ToPython(py, value.Item2);
            using var c = Converters<T3>.Instance.ToPython(py, value.Item3);
            return Build(py, [a.Clone().Steal().Pointer, b.Clone().Steal().Pointer, c.Clone().Steal().Pointer]);
        }

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
        public override (T1, T2, T3) FromPython(PyBound obj) =>
            (Converters<T1>.Instance.FromPython(Item(obj, 3, 0)), Converters<T2>.Instance.FromPython(Item(obj, 3, 1)),
             Converters<T3>.Instance.FromPython(Item(obj, 3, 2)));
    }

    private sealed class Quadruple<T1, T2, T3, T4> : Converter<(T1, T2, T3, T4)>
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
        public override PyBound ToPython(Python py, (T1, T2, T3, T4) value)
        {
            using var a = Converters<T1>.Instance.ToPython(py, value.Item1);
            using var b = Converters<T2>.Instance.ToPython(py, value.Item2);
            using var c = Converters<T3>.Instance.ToPython(py, value.Item3);
            using var d = Converters<T4>.Instance.ToPython(py, value.Item4);
            return Build(py, [a.Clone().Steal().Pointer, b.Clone().Steal().Pointer, c.Clone().Steal().Pointer, d.Clone().Steal().Pointer]);
        }

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Justification)]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Justification)]
        public override (T1, T2, T3, T4) FromPython(PyBound obj) =>
            (Converters<T1>.Instance.FromPython(Item(obj, 4, 0)), Converters<T2>.Instance.FromPython(Item(obj, 4, 1)),
             Converters<T3>.Instance.FromPython(Item(obj, 4, 2)), Converters<T4>.Instance.FromPython(Item(obj, 4, 3)));
    }
}
