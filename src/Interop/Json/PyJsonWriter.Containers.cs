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
                using var item = Containers.PyList_GetItemRef(new BorrowedRef(list), i).Own();
                if (item.IsNull)
                {
                    Errors.PyErr_Clear(); // IndexError: Python code run by an earlier item shrank the list
                    break;
                }
                WriteValue(item.Pointer, depth + 1);
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
        using (var iterator = Own(Objects.PyObject_GetIter(new BorrowedRef(iterable))))
        {
            for (long index = 0; ; index++)
            {
                using var item = Objects.PyIter_Next(iterator.Borrow()).Own();
                if (item.IsNull)
                {
                    break;
                }
                _path.SetIndex(depth, index);
                WriteValue(item.Pointer, depth + 1);
            }
            if (!Errors.PyErr_Occurred().IsNull)
            {
                throw Error(); // e.g. "Set changed size during iteration"
            }
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
            _path.SetKey(depth, key);
            WriteHeldItem(key, value, depth, tryStrKey: true);
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
                var type = Objects.PyObject_Type(new BorrowedRef(value)).Own();
                if (TryWriteExactScalar(value, ref type, depth + 1))
                {
                    continue;
                }
                try
                {
                    WriteStrongItem(key, value, type.Pointer, depth);
                }
                finally
                {
                    type.Dispose();
                }
                continue;
            }
            WriteHeldItem(key, value, depth, tryStrKey: false);
        }
    }

    /// <summary>A dict item with key and value held strongly meanwhile: converting them may run Python code, which could
    /// change the dict and drop its references.</summary>
    private void WriteHeldItem(nint key, nint value, int depth, bool tryStrKey)
    {
        using var strongKey = new BorrowedRef(key).NewReference();
        using var strongValue = new BorrowedRef(value).NewReference();
        if (!tryStrKey || !TryWriteStrKey(key))
        {
            WriteOtherKey(key, depth);
        }
        WriteValue(value, depth + 1);
    }

    /// <summary>A value (its str key already written) that may run Python code: see <see cref="WriteHeldItem"/>.</summary>
    private void WriteStrongItem(nint key, nint value, nint type, int depth)
    {
        using var strongKey = new BorrowedRef(key).NewReference();
        using var strongValue = new BorrowedRef(value).NewReference();
        WriteWithType(value, type, depth + 1, chained: 0);
    }

    /// <summary>A dict subclass (OrderedDict, defaultdict, ...): walked through <c>items()</c>, as <c>json.dumps</c>
    /// does, so an OrderedDict reordered with <c>move_to_end</c> is written in its own order.</summary>
    private void WriteMapping(nint mapping, int depth)
    {
        Enter(mapping, depth);
        _writer.WriteStartObject();
        using (var items = Own(Objects.PyMapping_Items(new BorrowedRef(mapping))))
        {
            // The items list is ours alone, so its borrowed entries (and their tuples' items) stay valid.
            var count = Containers.PyList_Size(items.Borrow());
            for (nint i = 0; i < count; i++)
            {
                var pair = Containers.PyList_GetItem(items.Borrow(), i).Pointer;
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
        _writer.WriteEndObject();
        CheckSize(depth);
    }

    private static bool IsPair(nint obj)
    {
        var flags = Objects.PyType_GetFlags(new BorrowedRef(TypeOf(obj)));
        return (flags & Objects.Py_TPFLAGS_TUPLE_SUBCLASS) != 0 && Containers.PyTuple_Size(new BorrowedRef(obj)) == 2;
    }
}
