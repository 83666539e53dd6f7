using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A <c>tuple</c> (or subclass, such as a namedtuple) view. Tuples are immutable, so items are read borrowed:
/// indexing by a .NET <c>int</c> creates no Python int and, for <see cref="Get{T}"/> and the enumerator, no reference.</summary>
public readonly ref struct PyTuple : IPyObjectType<PyTuple>
{
    private readonly PyBound _tuple;

    internal PyTuple(PyBound tuple) => _tuple = tuple;

    /// <inheritdoc />
    public static string PythonTypeName => "tuple";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_TUPLE_SUBCLASS) != 0;

    static PyTuple IPyObjectType<PyTuple>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _tuple;

    private PyBound Self => _tuple.Checked(nameof(PyTuple), "member");

    /// <summary><c>len(tuple)</c>.</summary>
    public int Count => checked((int)Containers.PyTuple_Size(Self.Borrow()));

    /// <summary><c>tuple[index]</c> as a new reference the caller disposes.</summary>
    public PyBound this[int index] => GetItem(index);

    /// <summary><c>tuple[index]</c> as a new reference; <c>IndexError</c> outside 0 … Count−1.</summary>
    public PyBound GetItem(int index) => PyBound.NewReference(Self.Py, Borrowed(index));

    /// <summary><c>tuple[index]</c> converted to <typeparamref name="T"/>, without taking a reference.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T Get<T>(int index) => Converters<T>.Instance.FromPython(PyBound.Borrowed(Self.Py, Borrowed(index)));

    /// <summary><c>tuple[low:high]</c>.</summary>
    public PyTuple Slice(int low, int high) => new(Self.Py.Own(Protocols.PyTuple_GetSlice(Self.Borrow(), low, high)));

    /// <summary><c>value in tuple</c>.</summary>
    public bool Contains(PyBound value) => Sequence.Contains(Self, value);

    /// <summary>Iterates without allocating or touching reference counts; <see cref="Enumerator.Current"/> is borrowed from
    /// the tuple (do not dispose it; clone it to keep it beyond the tuple).</summary>
    public Enumerator GetEnumerator() => new(Self);

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _tuple.Dispose();

    /// <summary><c>repr(tuple)</c>.</summary>
    public override string ToString() => _tuple.ToString();

    private nint Borrowed(int index)
    {
        var item = Containers.PyTuple_GetItem(Self.Borrow(), index);
        return item.IsNull ? throw Self.Py.Error() : item.Pointer;
    }

    /// <summary>Enumerator over a tuple's items (borrowed).</summary>
    public ref struct Enumerator
    {
        private readonly PyBound _tuple;
        private readonly nint _count;
        private nint _index;

        internal Enumerator(PyBound tuple)
        {
            _tuple = tuple;
            _count = Containers.PyTuple_Size(tuple.Borrow());
            _index = -1;
        }

        /// <summary>The current item, borrowed from the tuple.</summary>
        public readonly PyBound Current => PyBound.Borrowed(_tuple.Py, Containers.PyTuple_GetItem(_tuple.Borrow(), _index).Pointer);

        /// <summary>Advances to the next item.</summary>
        public bool MoveNext() => ++_index < _count;
    }
}
