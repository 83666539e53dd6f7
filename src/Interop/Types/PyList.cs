using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A <c>list</c> (or subclass) view: <c>PyBound.Cast&lt;PyList&gt;()</c>. Shares the reference of the handle it
/// came from (see <see cref="IPyObjectType{TSelf}"/>).</summary>
/// <remarks>Items are read with strong references (<c>PyList_GetItemRef</c> on 3.13+), so another thread shrinking
/// the list on a free-threaded build can make an index fail with <c>IndexError</c>, never read freed memory.</remarks>
public readonly ref struct PyList : IPyObjectType<PyList>
{
    private readonly PyBound _list;

    internal PyList(PyBound list) => _list = list;

    /// <inheritdoc />
    public static string PythonTypeName => "list";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_LIST_SUBCLASS) != 0;

    static PyList IPyObjectType<PyList>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _list;

    private PyBound Self => _list.Checked(nameof(PyList), "member");

    /// <summary>A new empty list.</summary>
    public static PyList New(Python py) => new(py.NewList());

    /// <summary><c>len(list)</c>.</summary>
    public int Count
    {
        get
        {
            var size = Containers.PyList_Size(Self.Borrow());
            return size < 0 ? throw Self.Py.Error() : checked((int)size);
        }
    }

    /// <summary><c>list[index]</c> (0 ≤ index &lt; Count; a new reference the caller disposes).</summary>
    public PyBound this[int index] => GetItem(index);

    /// <summary><c>list[index]</c> as a new reference; <c>IndexError</c> outside 0 … Count−1.</summary>
    public PyBound GetItem(int index)
    {
        var self = Self;
        var item = ListItems.GetStrong(self.Py, self.Borrow(), index);
        return self.Py.Own(item);
    }

    /// <summary><c>list[index]</c> converted to <typeparamref name="T"/>.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T Get<T>(int index)
    {
        using var item = GetItem(index);
        return Converters<T>.Instance.FromPython(item);
    }

    /// <summary><c>list[index] = value</c>.</summary>
    public void SetItem(int index, PyBound value)
    {
        var self = Self;
        var item = value.Checked(nameof(PyList), nameof(SetItem)).Borrow().NewReference();
        if (Containers.PyList_SetItem(self.Borrow(), index, item.Steal()) < 0)
        {
            throw self.Py.Error();
        }
    }

    /// <summary><c>list[index] = value</c> converted from .NET.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void Set<T>(int index, T value)
    {
        using var item = Converters<T>.Instance.ToPython(Self.Py, value);
        SetItem(index, item);
    }

    /// <summary><c>list.append(item)</c>.</summary>
    public void Append(PyBound item) => Self.Append(item);

    /// <summary><c>list.append(value)</c> converted from .NET.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void Append<T>(T value)
    {
        using var item = Converters<T>.Instance.ToPython(Self.Py, value);
        Self.Append(item);
    }

    /// <summary><c>list.insert(index, item)</c>.</summary>
    public void Insert(int index, PyBound item)
    {
        var self = Self;
        if (Protocols.PyList_Insert(self.Borrow(), index, item.Checked(nameof(PyList), nameof(Insert)).Borrow()) < 0)
        {
            throw self.Py.Error();
        }
    }

    /// <summary><c>value in list</c>.</summary>
    public bool Contains(PyBound value) => Sequence.Contains(Self, value);

    /// <summary>A tuple with the same items.</summary>
    public PyTuple ToTuple() => new(Self.Py.ListToTuple(Self));

    /// <summary>The items converted to <typeparamref name="T"/> (a bulk path for <c>int</c>, <c>long</c>, <c>double</c>).</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T[] ToArray<T>() => Converters<T[]>.Instance.FromPython(Self);

    /// <summary>Iterates by index without allocating; each item is released when the enumerator moves on.</summary>
    public Enumerator GetEnumerator() => new(Self);

    /// <summary>Releases the shared reference (see <see cref="IPyObjectType{TSelf}"/>).</summary>
    public void Dispose() => _list.Dispose();

    /// <summary><c>repr(list)</c>.</summary>
    public override string ToString() => _list.ToString();

    /// <summary>Index-based enumerator over a list; re-reads the length each step, so a list that shrinks meanwhile ends
    /// the loop early instead of failing.</summary>
    public ref struct Enumerator
    {
        private readonly PyBound _list;
        private int _index;
        private PyBound _current;

        internal Enumerator(PyBound list)
        {
            _list = list;
            _index = 0;
            _current = default;
        }

        /// <summary>The current item, valid until the next <see cref="MoveNext"/> (clone it to keep it).</summary>
        public readonly PyBound Current => _current;

        /// <summary>Advances to the next item.</summary>
        public bool MoveNext()
        {
            _current.Dispose();
            _current = default;
            if (_index >= Containers.PyList_Size(_list.Borrow()))
            {
                return false;
            }
            var item = ListItems.GetStrong(_list.Py, _list.Borrow(), _index++);
            if (item.IsNull)
            {
                Errors.PyErr_Clear(); // IndexError: shrunk by another thread between the two calls
                return false;
            }
            _current = new PyBound(_list.Py, item);
            return true;
        }

        /// <summary>Releases the current item.</summary>
        public void Dispose()
        {
            _current.Dispose();
            _current = default;
        }
    }
}

/// <summary>Strong list reads on every version.</summary>
internal static class ListItems
{
    /// <summary>A new reference to <c>list[index]</c>, or null with IndexError set.</summary>
    public static NewRef GetStrong(Python py, BorrowedRef list, nint index)
    {
        if (py.B.HasStrongListGetter)
        {
            return Containers.PyList_GetItemRef(list, index);
        }
        // 3.11/3.12 are GIL builds: nothing can run between the borrowed read and the incref.
        var owned = Containers.PyList_GetItem(list, index).NewReference();
        return owned.Steal();
    }
}

/// <summary>The sequence protocol's membership test.</summary>
internal static class Sequence
{
    public static bool Contains(PyBound container, PyBound value)
    {
        var result = Protocols.PySequence_Contains(container.Borrow(), value.Checked(container.TypeName, nameof(Contains)).Borrow());
        return result < 0 ? throw container.Py.Error() : result != 0;
    }
}
