using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A <c>set</c> (or subclass) view.</summary>
public readonly ref struct PySet : IPyObjectType<PySet>
{
    private readonly PyBound _set;

    internal PySet(PyBound set) => _set = set;

    /// <inheritdoc />
    public static string PythonTypeName => "set";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => obj.HasType(obj.Py.B.SetType);

    static PySet IPyObjectType<PySet>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _set;

    private PyBound Self => _set.Checked(nameof(PySet), "member");

    /// <summary>A new empty set.</summary>
    public static PySet New(Python py) => new(py.NewSet());

    /// <summary><c>len(set)</c>.</summary>
    public int Count => checked((int)Containers.PySet_Size(Self.Borrow()));

    /// <summary><c>value in set</c>.</summary>
    public bool Contains(PyBound value)
    {
        var result = Protocols.PySet_Contains(Self.Borrow(), value.Checked(nameof(PySet), nameof(Contains)).Borrow());
        return result < 0 ? throw Self.Py.Error() : result != 0;
    }

    /// <summary><c>set.add(value)</c>.</summary>
    public void Add(PyBound value) => Self.Add(value);

    /// <summary><c>set.discard(value)</c>; true if it was present.</summary>
    public bool Discard(PyBound value)
    {
        var result = Protocols.PySet_Discard(Self.Borrow(), value.Checked(nameof(PySet), nameof(Discard)).Borrow());
        return result < 0 ? throw Self.Py.Error() : result != 0;
    }

    /// <summary>Iterates with <c>iter(set)</c> (each item released when the enumerator moves on).</summary>
    public PyIterator GetEnumerator() => Self.Iterate();

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _set.Dispose();

    /// <summary><c>repr(set)</c>.</summary>
    public override string ToString() => _set.ToString();
}

/// <summary>A module view.</summary>
public readonly ref partial struct PyModule : IPyObjectType<PyModule>
{
    private readonly PyBound _module;

    internal PyModule(PyBound module) => _module = module;

    /// <inheritdoc />
    public static string PythonTypeName => "module";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => obj.HasType(obj.Py.B.ModuleType);

    static PyModule IPyObjectType<PyModule>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _module;

    private PyBound Self => _module.Checked(nameof(PyModule), "member");

    /// <summary><c>module.__name__</c>.</summary>
    public string Name
    {
        get
        {
            using var name = Self.GetAttr("__name__");
            return name.GetString();
        }
    }

    /// <summary>The module's namespace (<c>module.__dict__</c>), a new reference.</summary>
    public PyDict Dict => new(PyBound.NewReference(Self.Py, Protocols.PyModule_GetDict(Self.Borrow()).Pointer));

    /// <summary><c>module.name</c>.</summary>
    public PyBound GetAttr(string name) => Self.GetAttr(name);

    /// <summary>Binds <paramref name="name"/> in the module.</summary>
    public void Add(string name, PyBound value) => Self.SetAttr(name, value);

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _module.Dispose();

    /// <summary><c>repr(module)</c>.</summary>
    public override string ToString() => _module.IsNull ? "<null>" : _module.Repr();
}

/// <summary>A type object view (<c>type</c> or a metaclass instance).</summary>
public readonly ref struct PyType : IPyObjectType<PyType>
{
    private readonly PyBound _type;

    internal PyType(PyBound type) => _type = type;

    /// <inheritdoc />
    public static string PythonTypeName => "type";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_TYPE_SUBCLASS) != 0;

    static PyType IPyObjectType<PyType>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _type;

    /// <summary>The type of <paramref name="obj"/> (a new reference).</summary>
    public static PyType Of(PyBound obj) => new(obj.Type());

    /// <summary>The qualified name (<c>int</c>, <c>collections.OrderedDict</c>).</summary>
    public string Name => ExceptionBuilder.TypeName(_type.Checked(nameof(PyType), nameof(Name)).Pointer);

    /// <summary><c>issubclass(self, other)</c> without running <c>__subclasscheck__</c>.</summary>
    public bool IsSubclassOf(PyType other) =>
        Objects.PyType_IsSubtype(_type.Checked(nameof(PyType), nameof(IsSubclassOf)).Borrow(), other._type.Checked(nameof(PyType), nameof(IsSubclassOf)).Borrow()) != 0;

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _type.Dispose();

    /// <summary><c>repr(type)</c>.</summary>
    public override string ToString() => _type.IsNull ? "<null>" : _type.Repr();
}

/// <summary>Any callable (<c>callable(obj)</c>).</summary>
public readonly ref struct PyCallable : IPyObjectType<PyCallable>
{
    private readonly PyBound _callable;

    internal PyCallable(PyBound callable) => _callable = callable;

    /// <inheritdoc />
    public static string PythonTypeName => "callable";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => Protocols.PyCallable_Check(obj.Borrow()) != 0;

    static PyCallable IPyObjectType<PyCallable>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _callable;

    /// <summary><c>f()</c>.</summary>
    public PyBound Call() => _callable.Call();

    /// <summary><c>f(a)</c>.</summary>
    public PyBound Call(PyBound a) => _callable.Call(a);

    /// <summary><c>f(a, b)</c>.</summary>
    public PyBound Call(PyBound a, PyBound b) => _callable.Call(a, b);

    /// <summary><c>f(*args, **kwargs)</c>.</summary>
    public PyBound Call(PyTuple args, PyDict kwargs) => _callable.CallWithKeywords(args.AsBound, kwargs.AsBound);

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _callable.Dispose();

    /// <summary><c>repr(f)</c>.</summary>
    public override string ToString() => _callable.IsNull ? "<null>" : _callable.Repr();
}
