using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

// Lists, tuples, sets and dicts. Reference rules are in the class remarks (PyJsonWriter.cs).
internal sealed unsafe partial class PyJsonWriter
{
    private void WriteList(nint list, int depth)
    {
        Enter(list, depth);
        _path.BeginArray(depth);
        _writer.WriteStartArray();
        var count = Containers.PyList_Size(new BorrowedRef(list));
        for (nint i = 0; i < count; i++)
        {
            _path.SetIndex(depth, i);
            if (_strongListGetter)
            {
                var item = Containers.PyList_GetItemRef(new BorrowedRef(list), i).Pointer;
                if (item == 0)
                {
                    Errors.PyErr_Clear(); // IndexError: Python code run by an earlier item shrank the list
                    break;
                }
                try
                {
                    WriteValue(item, depth + 1);
                }
                finally
                {
                    Objects.Py_DecRef(item);
                }
            }
            else
            {
                var item = Containers.PyList_GetItem(new BorrowedRef(list), i).Pointer;
                if (item == 0)
                {
                    Errors.PyErr_Clear();
                    break;
                }
                WriteBorrowedItem(item, depth + 1);
            }
        }
        _writer.WriteEndArray();
        CheckSize(depth);
    }

    private void WriteTuple(nint tuple, int depth)
    {
        Enter(tuple, depth);
        _path.BeginArray(depth);
        _writer.WriteStartArray();
        var count = Containers.PyTuple_Size(new BorrowedRef(tuple));
        for (nint i = 0; i < count; i++)
        {
            _path.SetIndex(depth, i);
            WriteValue(Containers.PyTuple_GetItem(new BorrowedRef(tuple), i).Pointer, depth + 1);
        }
        _writer.WriteEndArray();
        CheckSize(depth);
    }

    /// <summary>Sets, frozensets and their subclasses, in iteration order.</summary>
    private void WriteIterable(nint iterable, int depth)
    {
        Enter(iterable, depth);
        _path.BeginArray(depth);
        _writer.WriteStartArray();
        var iterator = Objects.PyObject_GetIter(new BorrowedRef(iterable)).Pointer;
        if (iterator == 0)
        {
            throw Error();
        }
        try
        {
            long index = 0;
            nint item;
            while ((item = Objects.PyIter_Next(new BorrowedRef(iterator)).Pointer) != 0)
            {
                _path.SetIndex(depth, index++);
                try
                {
                    WriteValue(item, depth + 1);
                }
                finally
                {
                    Objects.Py_DecRef(item);
                }
            }
            if (!Errors.PyErr_Occurred().IsNull)
            {
                throw Error(); // e.g. "Set changed size during iteration"
            }
        }
        finally
        {
            Objects.Py_DecRef(iterator);
        }
        _writer.WriteEndArray();
        CheckSize(depth);
    }

    /// <summary>An exact dict, walked in place with <c>PyDict_Next</c> (insertion order).</summary>
    private void WriteDict(nint dict, int depth)
    {
        Enter(dict, depth);
        _writer.WriteStartObject();
        if (_freeThreaded)
        {
            CriticalSection.PyCriticalSection section;
            CriticalSection.PyCriticalSection_Begin(&section, new BorrowedRef(dict));
            try
            {
                WriteDictItemsStrong(dict, depth);
            }
            finally
            {
                CriticalSection.PyCriticalSection_End(&section);
            }
        }
        else
        {
            WriteDictItemsBorrowed(dict, depth);
        }
        _writer.WriteEndObject();
        CheckSize(depth);
    }

    private void WriteDictItemsStrong(nint dict, int depth)
    {
        nint position = 0, key, value;
        while (Containers.PyDict_Next(new BorrowedRef(dict), &position, &key, &value) != 0)
        {
            Objects.Py_IncRef(new BorrowedRef(key));
            Objects.Py_IncRef(new BorrowedRef(value));
            try
            {
                _path.SetKey(depth, key);
                if (!TryWriteStrKey(key))
                {
                    WriteOtherKey(key, depth);
                }
                WriteValue(value, depth + 1);
            }
            finally
            {
                Objects.Py_DecRef(key);
                Objects.Py_DecRef(value);
            }
        }
    }

    // GIL builds: key and value stay borrowed while only str keys and scalar values are seen, since
    // nothing then runs Python code that could change the dict.
    private void WriteDictItemsBorrowed(nint dict, int depth)
    {
        nint position = 0, key, value;
        while (Containers.PyDict_Next(new BorrowedRef(dict), &position, &key, &value) != 0)
        {
            _path.SetKey(depth, key);
            if (TryWriteStrKey(key))
            {
                if (TryWriteSingleton(value, depth + 1))
                {
                    continue;
                }
                var type = Objects.PyObject_Type(new BorrowedRef(value)).Pointer;
                if (TryWriteExactScalar(value, type, depth + 1))
                {
                    continue;
                }
                Objects.Py_IncRef(new BorrowedRef(key));
                Objects.Py_IncRef(new BorrowedRef(value));
                try
                {
                    WriteWithType(value, type, depth + 1, chained: 0);
                }
                finally
                {
                    Objects.Py_DecRef(type);
                    Objects.Py_DecRef(key);
                    Objects.Py_DecRef(value);
                }
                continue;
            }
            Objects.Py_IncRef(new BorrowedRef(key));
            Objects.Py_IncRef(new BorrowedRef(value));
            try
            {
                WriteOtherKey(key, depth);
                WriteValue(value, depth + 1);
            }
            finally
            {
                Objects.Py_DecRef(key);
                Objects.Py_DecRef(value);
            }
        }
    }

    /// <summary>A dict subclass (OrderedDict, defaultdict, ...): walked through <c>items()</c>, as <c>json.dumps</c>
    /// does, so an OrderedDict reordered with <c>move_to_end</c> is written in its own order.</summary>
    private void WriteMapping(nint mapping, int depth)
    {
        Enter(mapping, depth);
        _writer.WriteStartObject();
        var items = Objects.PyMapping_Items(new BorrowedRef(mapping)).Pointer;
        if (items == 0)
        {
            throw Error();
        }
        try
        {
            // The items list is ours alone, so its borrowed entries (and their tuples' items) stay valid.
            var count = Containers.PyList_Size(new BorrowedRef(items));
            for (nint i = 0; i < count; i++)
            {
                var pair = Containers.PyList_GetItem(new BorrowedRef(items), i).Pointer;
                if (pair == 0 || !IsPair(pair))
                {
                    Errors.PyErr_Clear();
                    throw Failure(PythonJsonErrorKind.Unsupported,
                        $"items() of a {QualifiedTypeName(TypeOf(mapping))} did not return (key, value) pairs", depth);
                }
                var key = Containers.PyTuple_GetItem(new BorrowedRef(pair), 0).Pointer;
                var value = Containers.PyTuple_GetItem(new BorrowedRef(pair), 1).Pointer;
                _path.SetKey(depth, key);
                if (!TryWriteStrKey(key))
                {
                    WriteOtherKey(key, depth);
                }
                WriteValue(value, depth + 1);
            }
        }
        finally
        {
            Objects.Py_DecRef(items);
        }
        _writer.WriteEndObject();
        CheckSize(depth);
    }

    private static bool IsPair(nint obj)
    {
        var type = Objects.PyObject_Type(new BorrowedRef(obj)).Pointer;
        var flags = Objects.PyType_GetFlags(new BorrowedRef(type));
        Objects.Py_DecRef(type);
        return (flags & Objects.Py_TPFLAGS_TUPLE_SUBCLASS) != 0 && Containers.PyTuple_Size(new BorrowedRef(obj)) == 2;
    }
}
