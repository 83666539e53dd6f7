using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A <c>dict</c> (or subclass) view. Lookups return strong references (<c>PyDict_GetItemRef</c> on 3.13+);
/// iteration takes the dict's critical section for each step on free-threaded builds.</summary>
public readonly ref struct PyDict : IPyObjectType<PyDict>
{
    private readonly PyBound _dict;

    internal PyDict(PyBound dict) => _dict = dict;

    /// <inheritdoc />
    public static string PythonTypeName => "dict";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_DICT_SUBCLASS) != 0;

    static PyDict IPyObjectType<PyDict>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _dict;

    private PyBound Self => _dict.Checked(nameof(PyDict), "member");

    /// <summary>A new empty dict.</summary>
    public static PyDict New(Python py) => new(py.NewDict());

    /// <summary><c>len(dict)</c>.</summary>
    public int Count => checked((int)Containers.PyDict_Size(Self.Borrow()));

    /// <summary>The value under <paramref name="key"/> (a new reference), or a null handle when missing.</summary>
    public unsafe PyBound GetItem(PyBound key)
    {
        var self = Self;
        var py = self.Py;
        var k = key.Checked(nameof(PyDict), nameof(GetItem)).Borrow();
        if (py.B.HasStrongDictGetter)
        {
            nint value;
            var found = Containers.PyDict_GetItemRef(self.Borrow(), k, &value);
            return found < 0 ? throw py.Error() : found == 0 ? default : new PyBound(py, new NewRef(value));
        }
        var borrowed = Containers.PyDict_GetItemWithError(self.Borrow(), k);
        if (borrowed.IsNull)
        {
            py.ThrowIfError();
            return default;
        }
        return PyBound.NewReference(py, borrowed.Pointer);
    }

    /// <summary>The value under a string key, or a null handle when missing.</summary>
    public PyBound GetItem(string key) => Self.DictGet(key);

    /// <summary>The value under a string key converted to <typeparamref name="T"/>.</summary>
    /// <exception cref="KeyNotFoundException">The key is missing.</exception>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T Get<T>(string key) =>
        TryGet<T>(key, out var value) ? value : throw new KeyNotFoundException($"The dict has no key '{key}'.");

    /// <summary>The value under a string key converted to <typeparamref name="T"/>, if present.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public bool TryGet<T>(string key, [MaybeNullWhen(false)] out T value)
    {
        using var item = GetItem(key);
        if (item.IsNull)
        {
            value = default;
            return false;
        }
        value = Converters<T>.Instance.FromPython(item);
        return true;
    }

    /// <summary><c>dict[key] = value</c>.</summary>
    public void SetItem(PyBound key, PyBound value)
    {
        var self = Self;
        if (Containers.PyDict_SetItem(self.Borrow(), key.Checked(nameof(PyDict), nameof(SetItem)).Borrow(),
                value.Checked(nameof(PyDict), nameof(SetItem)).Borrow()) < 0)
        {
            throw self.Py.Error();
        }
    }

    /// <summary><c>dict[key] = value</c> with a string key.</summary>
    public void SetItem(string key, PyBound value) => Self.SetItem(key, value);

    /// <summary><c>dict[key] = value</c> converted from .NET.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void Set<T>(string key, T value)
    {
        using var item = Converters<T>.Instance.ToPython(Self.Py, value);
        Self.SetItem(key, item);
    }

    /// <summary><c>key in dict</c>.</summary>
    public bool ContainsKey(PyBound key)
    {
        var result = Containers.PyDict_Contains(Self.Borrow(), key.Checked(nameof(PyDict), nameof(ContainsKey)).Borrow());
        return result < 0 ? throw Self.Py.Error() : result != 0;
    }

    /// <summary><c>key in dict</c> with a string key.</summary>
    public bool ContainsKey(string key)
    {
        using var k = Self.Py.Str(key);
        return ContainsKey(k);
    }

    /// <summary><c>del dict[key]</c>; false if the key was missing.</summary>
    public bool Remove(PyBound key)
    {
        var self = Self;
        if (Containers.PyDict_DelItem(self.Borrow(), key.Checked(nameof(PyDict), nameof(Remove)).Borrow()) == 0)
        {
            return true;
        }
        if (Errors.PyErr_ExceptionMatches(new BorrowedRef(self.Py.B.KeyError)) != 0)
        {
            Errors.PyErr_Clear();
            return false;
        }
        throw self.Py.Error();
    }

    /// <summary>A new list of the keys (<c>list(dict.keys())</c>).</summary>
    public PyList Keys() => new(Self.Py.Own(Protocols.PyDict_Keys(Self.Borrow())));

    /// <summary>A new list of the values.</summary>
    public PyList Values() => new(Self.Py.Own(Protocols.PyDict_Values(Self.Borrow())));

    /// <summary>A new list of <c>(key, value)</c> tuples.</summary>
    public PyList Items() => new(Self.Py.Own(Protocols.PyDict_Items(Self.Borrow())));

    /// <summary>A shallow copy.</summary>
    public PyDict Copy() => new(Self.Py.Own(Containers.PyDict_Copy(Self.Borrow())));

    /// <summary>The entries converted to a .NET dictionary.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public Dictionary<TKey, TValue> ToDictionary<TKey, TValue>()
        where TKey : notnull => Converters<Dictionary<TKey, TValue>>.Instance.FromPython(Self);

    /// <summary>Iterates the entries in insertion order without allocating managed objects; each entry's references are
    /// released when the enumerator moves on. Throws <see cref="InvalidOperationException"/> if the dict changes size
    /// meanwhile, as Python's own iteration does.</summary>
    public PyDictEnumerator GetEnumerator() => new(Self);

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _dict.Dispose();

    /// <summary><c>repr(dict)</c>.</summary>
    public override string ToString() => _dict.ToString();
}
