using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

public readonly ref partial struct PyBound
{
    // Vectorcall lets the callee read arguments straight from our stack buffer. Reserving slot 0 and
    // passing PY_VECTORCALL_ARGUMENTS_OFFSET allows bound methods to prepend `self` without copying.

    /// <summary><c>obj()</c>.</summary>
    public unsafe PyBound Call()
    {
        return _py.Own(Objects.PyObject_Vectorcall(Self(), null, 0, BorrowedRef.Null));
    }

    /// <summary><c>obj(a)</c>.</summary>
    public unsafe PyBound Call(PyBound a)
    {
        var self = Self();
        var args = stackalloc nint[2] { 0, Arg(a, nameof(a)).Pointer };
        return _py.Own(Objects.PyObject_Vectorcall(self, args + 1, 1 | Objects.PY_VECTORCALL_ARGUMENTS_OFFSET, BorrowedRef.Null));
    }

    /// <summary><c>obj(a, b)</c>.</summary>
    public unsafe PyBound Call(PyBound a, PyBound b)
    {
        var self = Self();
        var args = stackalloc nint[3] { 0, Arg(a, nameof(a)).Pointer, Arg(b, nameof(b)).Pointer };
        return _py.Own(Objects.PyObject_Vectorcall(self, args + 1, 2 | Objects.PY_VECTORCALL_ARGUMENTS_OFFSET, BorrowedRef.Null));
    }

    /// <summary><c>obj(a, b, c)</c>.</summary>
    public unsafe PyBound Call(PyBound a, PyBound b, PyBound c)
    {
        var self = Self();
        var args = stackalloc nint[4] { 0, Arg(a, nameof(a)).Pointer, Arg(b, nameof(b)).Pointer, Arg(c, nameof(c)).Pointer };
        return _py.Own(Objects.PyObject_Vectorcall(self, args + 1, 3 | Objects.PY_VECTORCALL_ARGUMENTS_OFFSET, BorrowedRef.Null));
    }

    /// <summary><c>obj(*args, **kwargs)</c>: <paramref name="args"/> is a tuple or list (or null handle),
    /// <paramref name="kwargs"/> a dict with string keys (or null handle). Uses vectorcall with keyword names.</summary>
    public unsafe PyBound CallWithKeywords(PyBound args, PyBound kwargs)
    {
        NotNull();
        using var tuple = args.IsNull
            ? _py.Own(Containers.PyTuple_New(0))
            : args.IsInstanceOfExact(_py.B.ListType) ? _py.ListToTuple(args) : args.Clone();
        var positional = checked((int)Containers.PyTuple_Size(tuple.Borrow()));
        if (positional < 0)
        {
            throw _py.Error();
        }
        var keywords = kwargs.IsNull ? 0 : checked((int)Containers.PyDict_Size(kwargs.Borrow()));
        var total = 1 + positional + keywords;
        Span<nint> buffer = total <= 32 ? stackalloc nint[total] : new nint[total];
        for (var i = 0; i < positional; i++)
        {
            buffer[1 + i] = Containers.PyTuple_GetItem(tuple.Borrow(), i).Pointer; // the tuple keeps them alive
        }
        if (keywords == 0)
        {
            fixed (nint* p = buffer)
            {
                return _py.Own(Objects.PyObject_Vectorcall(Self(), p + 1, (nuint)positional | Objects.PY_VECTORCALL_ARGUMENTS_OFFSET, BorrowedRef.Null));
            }
        }

        // Snapshot the dict into a names tuple and a values tuple that own their items.
        using var names = _py.Own(Containers.PyTuple_New(keywords));
        using var values = _py.Own(Containers.PyTuple_New(keywords));
        // PyDict_Next hands out borrowed references: on a free-threaded build another thread could replace a value and
        // free it between the read and the incref, so the snapshot is taken inside the dict's critical section. Nothing in
        // the loop runs Python code (the str check reads type flags only), so the section is never suspended midway.
        var section = _py.B.HasCriticalSections ? PyCriticalSection.Begin(kwargs.Borrow()) : null;
        try
        {
            nint pos = 0, key, value;
            var index = 0;
            while (index < keywords && Containers.PyDict_Next(kwargs.Borrow(), &pos, &key, &value) != 0)
            {
                if (!IsStr(key))
                {
                    throw new ArgumentException("Keyword argument names must be strings.", nameof(kwargs));
                }
                var name = new BorrowedRef(key).NewReference();
                var item = new BorrowedRef(value).NewReference();
                _ = Containers.PyTuple_SetItem(names.Borrow(), index, name.Steal());
                _ = Containers.PyTuple_SetItem(values.Borrow(), index, item.Steal());
                buffer[1 + positional + index] = value;
                index++;
            }
            if (index < keywords)
            {
                // Shrunk by another thread after PyDict_Size: the names tuple would hold empty slots.
                throw new InvalidOperationException("The kwargs dict changed size while the call was being made.");
            }
        }
        finally
        {
            PyCriticalSection.End(section);
        }
        fixed (nint* p = buffer)
        {
            return _py.Own(Objects.PyObject_Vectorcall(Self(), p + 1, (nuint)positional | Objects.PY_VECTORCALL_ARGUMENTS_OFFSET, names.Borrow()));
        }
    }

    /// <summary><c>obj.name()</c>.</summary>
    public PyBound CallMethod(string name)
    {
        NotNull();
        using var method = GetAttr(name);
        return method.Call();
    }

    /// <summary><c>obj.name(a)</c>.</summary>
    public PyBound CallMethod(string name, PyBound a)
    {
        NotNull();
        _ = Arg(a, nameof(a));
        using var method = GetAttr(name);
        return method.Call(a);
    }

    /// <summary>Iterates over <c>iter(obj)</c>; each item is released when the enumerator moves on
    /// (call <see cref="ToOwned"/> or <see cref="Clone"/> to keep one).</summary>
    public PyIterator Iterate() => new(_py, _py.Own(Objects.PyObject_GetIter(Self())));

    /// <summary>Exact type identity, without subclasses.</summary>
    internal bool IsInstanceOfExact(nint type)
    {
        using var t = Objects.PyObject_Type(Self()).Own();
        return t.Pointer == type;
    }

    private static bool IsStr(nint o)
    {
        using var t = Objects.PyObject_Type(new BorrowedRef(o)).Own();
        var flags = Objects.PyType_GetFlags(t.Borrow());
        return (flags & Objects.Py_TPFLAGS_UNICODE_SUBCLASS) != 0;
    }
}

/// <summary>Enumerates a Python iterator; works with <c>foreach</c>. Also a typed view: <c>obj.Cast&lt;PyIterator&gt;()</c>
/// for an object that is already an iterator (<c>PyIter_Check</c>), sharing its reference.</summary>
/// <remarks><c>foreach</c> disposes the iterator it runs on (a copy of this struct that shares its reference), so write
/// <c>foreach (var item in obj.Iterate())</c>; do not also put the iterator in a <c>using</c>, which releases it twice.</remarks>
public ref struct PyIterator : IPyObjectType<PyIterator>
{
    private readonly Python _py;
    private readonly PyBound _iterator;
    private PyBound _current;

    internal PyIterator(Python py, PyBound iterator)
    {
        _py = py;
        _iterator = iterator;
        _current = default;
    }

    /// <summary>The current item, valid until the next <see cref="MoveNext"/>.</summary>
    public readonly PyBound Current => _current;

    /// <inheritdoc />
    public static string PythonTypeName => "iterator";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => Protocols.PyIter_Check(obj.Borrow()) != 0;

    static PyIterator IPyObjectType<PyIterator>.Wrap(PyBound obj) => new(obj.Py, obj);

    /// <inheritdoc />
    public readonly PyBound AsBound => _iterator;

    /// <summary>For <c>foreach</c>.</summary>
    public readonly PyIterator GetEnumerator() => this;

    /// <summary>Advances; a Python exception raised by the iterator is thrown.</summary>
    public bool MoveNext()
    {
        if (_iterator.IsNull)
        {
            throw new InvalidOperationException("PyIterator.MoveNext was called on a default PyIterator; get one from PyBound.Iterate().");
        }
        _current.Dispose();
        _current = default;
        var next = Objects.PyIter_Next(_iterator.Borrow());
        if (next.IsNull)
        {
            _py.ThrowIfError();
            return false;
        }
        _current = new PyBound(_py, next);
        return true;
    }

    /// <summary>Releases the iterator and the current item.</summary>
    public void Dispose()
    {
        _current.Dispose();
        _current = default;
        _iterator.Dispose();
    }
}
