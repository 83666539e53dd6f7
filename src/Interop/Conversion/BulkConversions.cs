using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Conversion;

/// <summary>Arrays of numbers to and from lists without per-item managed handles.</summary>
/// <remarks>
/// Building: <c>PyList_New(n)</c> then <c>PyList_SetItem</c> into the empty slots (nothing to release, no Python code
/// runs). Reading: the sequence is first snapshotted into a tuple (one C-level copy that takes its own references, under
/// the list's critical section on free-threaded builds), so items can be read borrowed from an immutable container
/// that nobody else can shrink, on every build; no per-item incref/decref.
/// </remarks>
internal static unsafe class BulkConversions
{
    public static PyBound ListOf(Python py, scoped ReadOnlySpan<long> values) => ListOf<long, LongItem>(py, values);

    public static PyBound ListOf(Python py, scoped ReadOnlySpan<int> values) => ListOf<int, IntItem>(py, values);

    public static PyBound ListOf(Python py, scoped ReadOnlySpan<double> values) => ListOf<double, FloatItem>(py, values);

    /// <summary>One loop for every element type; <typeparamref name="TItem"/> is a struct, so the JIT specialises the loop
    /// per type and calls the item constructor directly (no delegate or function pointer per item).</summary>
    private static PyBound ListOf<T, TItem>(Python py, scoped ReadOnlySpan<T> values)
        where TItem : struct, IItemFactory<T>
    {
        var list = py.Own(Containers.PyList_New(values.Length));
        var target = list.Borrow();
        for (var i = 0; i < values.Length; i++)
        {
            var item = TItem.New(values[i]);
            if (item.IsNull)
            {
                list.Dispose();
                throw py.Error();
            }
            _ = FastNative.PyList_SetItem(target, i, item);
        }
        return list;
    }

    private interface IItemFactory<T>
    {
        static abstract NewRef New(T value);
    }

    private struct LongItem : IItemFactory<long>
    {
        public static NewRef New(long value) => FastNative.PyLong_FromLongLong(value);
    }

    private struct IntItem : IItemFactory<int>
    {
        public static NewRef New(int value) => FastNative.PyLong_FromLongLong(value);
    }

    private struct FloatItem : IItemFactory<double>
    {
        public static NewRef New(double value) => FastNative.PyFloat_FromDouble(value);
    }

    /// <summary>A tuple with the items of <paramref name="sequence"/>: the object itself for a tuple, a snapshot otherwise.
    /// A <c>str</c>/<c>bytes</c> is refused: treating text as a sequence of characters is rarely what was meant.</summary>
    public static PyBound Snapshot(PyBound sequence)
    {
        var flags = sequence.TypeFlags();
        if ((flags & Objects.Py_TPFLAGS_TUPLE_SUBCLASS) != 0)
        {
            return sequence.Clone();
        }
        if ((flags & (Objects.Py_TPFLAGS_UNICODE_SUBCLASS | Objects.Py_TPFLAGS_BYTES_SUBCLASS)) != 0)
        {
            throw new InvalidCastException($"A {sequence.TypeName} is not converted to a sequence of items; extract it as string or byte[].");
        }
        var py = sequence.Py;
        return (flags & Objects.Py_TPFLAGS_LIST_SUBCLASS) != 0
            ? py.Own(Containers.PyList_AsTuple(sequence.Borrow()))
            : py.Own(Protocols.PySequence_Tuple(sequence.Borrow()));
    }

    public static double[] ReadDoubles(PyBound sequence)
    {
        using var tuple = Snapshot(sequence);
        var py = sequence.Py;
        var count = Containers.PyTuple_Size(tuple.Borrow());
        var result = GC.AllocateUninitializedArray<double>(checked((int)count));
        for (var i = 0; i < result.Length; i++)
        {
            // PyFloat_AsDouble may run __float__ on a non-float; the tuple keeps the item alive meanwhile.
            var value = Scalars.PyFloat_AsDouble(FastNative.PyTuple_GetItem(tuple.Borrow(), i));
            if (value == -1.0 && !Errors.PyErr_Occurred().IsNull)
            {
                throw py.Error();
            }
            result[i] = value;
        }
        return result;
    }

    public static long[] ReadInt64s(PyBound sequence)
    {
        using var tuple = Snapshot(sequence);
        var py = sequence.Py;
        var count = Containers.PyTuple_Size(tuple.Borrow());
        var result = GC.AllocateUninitializedArray<long>(checked((int)count));
        for (var i = 0; i < result.Length; i++)
        {
            int overflow;
            var value = Scalars.PyLong_AsLongLongAndOverflow(FastNative.PyTuple_GetItem(tuple.Borrow(), i), &overflow);
            if (overflow != 0)
            {
                throw new OverflowException($"Item {i} does not fit in 64 bits.");
            }
            if (value == -1 && !Errors.PyErr_Occurred().IsNull)
            {
                throw py.Error();
            }
            result[i] = value;
        }
        return result;
    }

    public static int[] ReadInt32s(PyBound sequence)
    {
        var wide = ReadInt64s(sequence);
        var result = new int[wide.Length];
        for (var i = 0; i < wide.Length; i++)
        {
            result[i] = checked((int)wide[i]);
        }
        return result;
    }
}
