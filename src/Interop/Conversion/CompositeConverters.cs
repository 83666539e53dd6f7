using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Conversion;

/// <summary>Arrays, lists, dictionaries, sets, nullables and value tuples, built from their element converters.</summary>
/// <remarks>Sequences read from any iterable except <c>str</c>/<c>bytes</c>, through a tuple snapshot (see
/// <see cref="BulkConversions"/>); dictionaries read any mapping through <c>items()</c> (a snapshot too), so converting
/// an element may run Python code without the container changing underneath.</remarks>
internal static class CompositeConverters
{
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public static object? For(Type type)
    {
        if (type.IsArray && type.GetArrayRank() == 1)
        {
            return Create(typeof(ArrayConverter<>), type.GetElementType()!);
        }
        if (!type.IsGenericType)
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        if (definition == typeof(Nullable<>))
        {
            return Create(typeof(NullableConverter<>), args);
        }
        if (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>))
        {
            return Create(typeof(ListConverter<,>), type, args[0]);
        }
        if (definition == typeof(HashSet<>) || definition == typeof(ISet<>) || definition == typeof(IReadOnlySet<>))
        {
            return Create(typeof(SetConverter<,>), type, args[0]);
        }
        if (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
        {
            return Create(typeof(DictionaryConverter<,,>), type, args[0], args[1]);
        }
        return TupleConverters.For(definition, args);
    }

    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    internal static object Create(Type definition, params Type[] args) => Activator.CreateInstance(definition.MakeGenericType(args))!;

    private sealed class NullableConverter<T> : Converter<T?>
        where T : struct
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Resolved when this converter was, under the same annotations.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Resolved when this converter was, under the same annotations.")]
        private static Converter<T> Inner => Converters<T>.Instance;

        public override PyBound ToPython(Python py, T? value) => value is { } v ? Inner.ToPython(py, v) : py.None;
        public override T? FromPython(PyBound obj) => obj.IsNone ? null : Inner.FromPython(obj);
    }

    private sealed class ArrayConverter<T> : Converter<T[]>
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Resolved when this converter was, under the same annotations.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Resolved when this converter was, under the same annotations.")]
        private static Converter<T> Inner => Converters<T>.Instance;

        public override PyBound ToPython(Python py, T[] value) => value is null ? py.None : Sequences.ToList(py, value, Inner);

        public override T[] FromPython(PyBound obj)
        {
            if (typeof(T) == typeof(double))
            {
                return (T[])(object)BulkConversions.ReadDoubles(obj);
            }
            if (typeof(T) == typeof(long))
            {
                return (T[])(object)BulkConversions.ReadInt64s(obj);
            }
            if (typeof(T) == typeof(int))
            {
                return (T[])(object)BulkConversions.ReadInt32s(obj);
            }
            return Sequences.Read(obj, Inner).ToArray();
        }
    }

    private sealed class ListConverter<TCollection, T> : Converter<TCollection>
        where TCollection : IEnumerable<T>
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Resolved when this converter was, under the same annotations.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Resolved when this converter was, under the same annotations.")]
        private static Converter<T> Inner => Converters<T>.Instance;

        public override PyBound ToPython(Python py, TCollection value) => value is null ? py.None : value switch
        {
            List<T> list => Sequences.ToList(py, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), Inner),
            T[] array => Sequences.ToList(py, array, Inner),
            _ => Sequences.ToList(py, value.ToArray(), Inner),
        };

        public override TCollection FromPython(PyBound obj) => (TCollection)(object)Sequences.Read(obj, Inner);
    }

    private sealed class SetConverter<TCollection, T> : Converter<TCollection>
        where TCollection : IEnumerable<T>
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Resolved when this converter was, under the same annotations.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Resolved when this converter was, under the same annotations.")]
        private static Converter<T> Inner => Converters<T>.Instance;

        public override PyBound ToPython(Python py, TCollection value)
        {
            if (value is null)
            {
                return py.None;
            }
            var set = py.NewSet();
            foreach (var item in value)
            {
                using var element = Inner.ToPython(py, item);
                set.Add(element);
            }
            return set;
        }

        public override TCollection FromPython(PyBound obj) => (TCollection)(object)new HashSet<T>(Sequences.Read(obj, Inner));
    }

    private sealed class DictionaryConverter<TCollection, TKey, TValue> : Converter<TCollection>
        where TCollection : IEnumerable<KeyValuePair<TKey, TValue>>
        where TKey : notnull
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Resolved when this converter was, under the same annotations.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Resolved when this converter was, under the same annotations.")]
        private static Converter<TKey> Keys => Converters<TKey>.Instance;

        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Resolved when this converter was, under the same annotations.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Resolved when this converter was, under the same annotations.")]
        private static Converter<TValue> Values => Converters<TValue>.Instance;

        public override PyBound ToPython(Python py, TCollection value)
        {
            if (value is null)
            {
                return py.None;
            }
            var dict = py.NewDict();
            foreach (var (k, v) in value)
            {
                using var key = Keys.ToPython(py, k);
                using var item = Values.ToPython(py, v);
                dict.SetItem(key, item);
            }
            return dict;
        }

        public override TCollection FromPython(PyBound obj)
        {
            var py = obj.Py;
            using var items = py.Own(Objects.PyMapping_Items(obj.Borrow()));
            var count = (int)Containers.PyList_Size(items.Borrow());
            var result = new Dictionary<TKey, TValue>(count);
            for (var i = 0; i < count; i++)
            {
                // items() returned a new list that only this frame can reach: borrowed reads are safe.
                var pair = Containers.PyList_GetItem(items.Borrow(), i).Pointer;
                var key = PyBound.Borrowed(py, Containers.PyTuple_GetItem(new BorrowedRef(pair), 0).Pointer);
                var value = PyBound.Borrowed(py, Containers.PyTuple_GetItem(new BorrowedRef(pair), 1).Pointer);
                result[Keys.FromPython(key)] = Values.FromPython(value);
            }
            return (TCollection)(object)result;
        }
    }
}

/// <summary>Sequence helpers shared by the array, list and tuple converters.</summary>
internal static class Sequences
{
    public static PyBound ToList<T>(Python py, scoped ReadOnlySpan<T> items, Converter<T> inner)
    {
        if (typeof(T) == typeof(long))
        {
            return BulkConversions.ListOf(py, Reinterpret<T, long>(items));
        }
        if (typeof(T) == typeof(int))
        {
            return BulkConversions.ListOf(py, Reinterpret<T, int>(items));
        }
        if (typeof(T) == typeof(double))
        {
            return BulkConversions.ListOf(py, Reinterpret<T, double>(items));
        }
        var list = py.Own(Containers.PyList_New(items.Length));
        try
        {
            for (var i = 0; i < items.Length; i++)
            {
                var item = inner.ToPython(py, items[i]);
                _ = Containers.PyList_SetItem(list.Borrow(), i, item.Steal());
            }
        }
        catch
        {
            list.Dispose();
            throw;
        }
        return list;
    }

    /// <summary>The same memory as another element type; only called when the two types are equal.</summary>
    private static ReadOnlySpan<TTo> Reinterpret<TFrom, TTo>(ReadOnlySpan<TFrom> items) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref System.Runtime.CompilerServices.Unsafe.As<TFrom, TTo>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(items)), items.Length);

    public static List<T> Read<T>(PyBound sequence, Converter<T> inner)
    {
        using var tuple = BulkConversions.Snapshot(sequence);
        var py = sequence.Py;
        var count = (int)Containers.PyTuple_Size(tuple.Borrow());
        var result = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(inner.FromPython(PyBound.Borrowed(py, Containers.PyTuple_GetItem(tuple.Borrow(), i).Pointer)));
        }
        return result;
    }
}
