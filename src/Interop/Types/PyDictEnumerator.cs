using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>One dict entry during enumeration; both handles are owned by the enumerator (clone to keep).</summary>
public readonly ref struct PyDictEntry
{
    internal PyDictEntry(PyBound key, PyBound value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The key.</summary>
    public PyBound Key { get; }

    /// <summary>The value.</summary>
    public PyBound Value { get; }

    /// <summary>For <c>foreach (var (key, value) in dict)</c>.</summary>
    public void Deconstruct(out PyBound key, out PyBound value)
    {
        key = Key;
        value = Value;
    }
}

/// <summary>Enumerates a dict with <c>PyDict_Next</c>.</summary>
/// <remarks>PyDict_Next hands out borrowed references, which another thread could release on a free-threaded build; each
/// step therefore runs inside the dict's critical section and takes strong references before leaving it. The loop
/// body then runs outside the section, so it may call Python freely.</remarks>
public ref struct PyDictEnumerator
{
    private readonly PyBound _dict;
    private readonly nint _size;
    private nint _position;
    private PyBound _key;
    private PyBound _value;

    internal PyDictEnumerator(PyBound dict)
    {
        _dict = dict;
        _size = Containers.PyDict_Size(dict.Borrow());
        _position = 0;
        _key = default;
        _value = default;
    }

    /// <summary>The current entry, valid until the next <see cref="MoveNext"/>.</summary>
    public readonly PyDictEntry Current => new(_key, _value);

    /// <summary>Advances to the next entry.</summary>
    public unsafe bool MoveNext()
    {
        Release();
        var py = _dict.Py;
        var section = py.B.HasCriticalSections ? PyCriticalSection.Begin(_dict.Borrow()) : null;
        nint key = 0, value = 0;
        int found;
        try
        {
            if (Containers.PyDict_Size(_dict.Borrow()) != _size)
            {
                throw new InvalidOperationException("The dict changed size during iteration.");
            }
            var position = _position;
            found = Containers.PyDict_Next(_dict.Borrow(), &position, &key, &value);
            _position = position;
            if (found != 0)
            {
                _key = PyBound.NewReference(py, key);
                _value = PyBound.NewReference(py, value);
            }
        }
        finally
        {
            PyCriticalSection.End(section);
        }
        return found != 0;
    }

    /// <summary>Releases the current entry.</summary>
    public void Dispose() => Release();

    private void Release()
    {
        _key.Dispose();
        _value.Dispose();
        _key = default;
        _value = default;
    }
}
