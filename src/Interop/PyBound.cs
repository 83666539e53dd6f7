using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A strong reference to a Python object, usable only while attached (PyO3's <c>Bound&lt;'py, PyAny&gt;</c>).</summary>
/// <remarks>
/// Owns one reference: dispose it (<c>using var x = ...</c>) to release it. It cannot be stored on the heap;
/// call <see cref="ToOwned"/> for a handle that can. Copies of the struct share the one reference,
/// so dispose exactly one of them. <c>default</c> is a null handle (<see cref="IsNull"/>): apart from
/// <see cref="IsNull"/>, <see cref="Dispose"/> and <see cref="ToString"/>, every member throws
/// <see cref="InvalidOperationException"/> on it, naming the member, and a null handle passed as an argument that must
/// be an object throws <see cref="ArgumentException"/>; nothing null ever reaches CPython.
/// </remarks>
public readonly ref partial struct PyBound
{
    private readonly Python _py;
    private readonly nint _pointer;

    private PyBound(Python py, nint pointer)
    {
        _py = py;
        _pointer = pointer;
    }

    /// <summary>Takes over a strong reference.</summary>
    internal PyBound(Python py, NewRef reference)
        : this(py, reference.Pointer)
    {
    }

    /// <summary>Takes a new reference to an object someone else owns.</summary>
    internal static PyBound NewReference(Python py, nint pointer)
    {
        var owned = new BorrowedRef(pointer).NewReference();
        return new PyBound(py, owned.Steal());
    }

    internal BorrowedRef Borrow() => new(_pointer);

    /// <summary>A handle over someone else's reference, for passing a borrowed object to code that takes a
    /// <see cref="PyBound"/> without disposing it (converters, callbacks). Never dispose the result.</summary>
    internal static PyBound Borrowed(Python py, nint pointer) => new(py, pointer);

    /// <summary>Hands this handle's reference on (to a stealing function); the handle must not be used or disposed afterwards.</summary>
    internal NewRef Steal() => new(_pointer);

    internal nint Pointer => _pointer;

    /// <summary>The token this handle is bound to.</summary>
    public Python Py
    {
        get
        {
            NotNull();
            return _py;
        }
    }

    /// <summary>True for <c>default(PyBound)</c>.</summary>
    public bool IsNull => _pointer == 0;

    /// <summary>True if this is <c>None</c>.</summary>
    public bool IsNone => Self().Pointer == _py.B.None;

    /// <summary>Releases the reference.</summary>
    public void Dispose() => new NewRef(_pointer).Release();

    /// <summary>A storable handle with its own reference.</summary>
    public PyOwned ToOwned()
    {
        var owned = Self().NewReference();
        return new PyOwned(_py.Interpreter, owned.Steal());
    }

    /// <summary>Another reference to the same object.</summary>
    public PyBound Clone() => NewReference(_py, Self().Pointer);

    /// <summary>Object identity (<c>a is b</c>).</summary>
    public bool Is(PyBound other) => Self().Pointer == other._pointer;

    /// <summary>The object's type.</summary>
    public PyBound Type() => _py.Own(Objects.PyObject_Type(Self()));

    /// <summary>The qualified name of the object's type: <c>int</c>, <c>collections.OrderedDict</c>, <c>numpy.ndarray</c>.</summary>
    public string TypeName
    {
        get
        {
            NotNull();
            using var type = Type();
            return ExceptionBuilder.TypeName(type.Pointer);
        }
    }

    /// <summary><c>getattr(obj, name)</c>.</summary>
    public unsafe PyBound GetAttr(string name)
    {
        var self = Self();
        fixed (byte* n = Utf8Z(name, stackalloc byte[128], nameof(name)))
        {
            return _py.Own(Objects.PyObject_GetAttrString(self, n));
        }
    }

    /// <summary><c>getattr(obj, name, None)</c> but returning a null handle when missing; other errors propagate.</summary>
    public unsafe PyBound GetAttrOrNull(string name)
    {
        var self = Self();
        NewRef result;
        fixed (byte* n = Utf8Z(name, stackalloc byte[128], nameof(name)))
        {
            result = Objects.PyObject_GetAttrString(self, n);
        }
        if (!result.IsNull)
        {
            return new PyBound(_py, result);
        }
        if (Errors.PyErr_ExceptionMatches(new BorrowedRef(_py.B.AttributeError)) != 0)
        {
            Errors.PyErr_Clear();
            return default;
        }
        throw _py.Error();
    }

    /// <summary><c>hasattr(obj, name)</c>.</summary>
    public bool HasAttr(string name)
    {
        NotNull();
        using var value = GetAttrOrNull(name);
        return !value.IsNull;
    }

    /// <summary><c>setattr(obj, name, value)</c>. A null <paramref name="value"/> throws (CPython would delete the attribute).</summary>
    public unsafe void SetAttr(string name, PyBound value)
    {
        var self = Self();
        var v = Arg(value, nameof(value));
        fixed (byte* n = Utf8Z(name, stackalloc byte[128], nameof(name)))
        {
            if (Objects.PyObject_SetAttrString(self, n, v) < 0)
            {
                throw _py.Error();
            }
        }
    }

    /// <summary><c>obj[key]</c>.</summary>
    public PyBound GetItem(PyBound key) => _py.Own(Objects.PyObject_GetItem(Self(), Arg(key, nameof(key))));

    /// <summary><c>obj[key]</c> with a string key.</summary>
    public PyBound GetItem(string key)
    {
        NotNull();
        using var k = _py.Str(key);
        return GetItem(k);
    }

    /// <summary><c>obj[key] = value</c>. A null <paramref name="value"/> throws (CPython would delete the item).</summary>
    public void SetItem(PyBound key, PyBound value)
    {
        if (Objects.PyObject_SetItem(Self(), Arg(key, nameof(key)), Arg(value, nameof(value))) < 0)
        {
            throw _py.Error();
        }
    }

    /// <summary><c>obj[key] = value</c> with a string key.</summary>
    public void SetItem(string key, PyBound value)
    {
        NotNull();
        using var k = _py.Str(key);
        SetItem(k, value);
    }

    /// <summary>For a dict: the value under <paramref name="key"/>, or a null handle when missing.</summary>
    public unsafe PyBound DictGet(string key)
    {
        var self = Self();
        using var k = _py.Str(key);
        if (_py.B.HasStrongDictGetter)
        {
            nint value;
            var found = Containers.PyDict_GetItemRef(self, k.Borrow(), &value);
            return found < 0 ? throw _py.Error() : found == 0 ? default : new PyBound(_py, new NewRef(value));
        }
        var borrowed = Containers.PyDict_GetItemWithError(self, k.Borrow());
        if (borrowed.IsNull)
        {
            _py.ThrowIfError();
            return default;
        }
        return NewReference(_py, borrowed.Pointer);
    }

    /// <summary>For a dict: removes every item (<c>dict.clear()</c>); does nothing to other objects. Values whose last
    /// reference the dict held are freed now, so their finalizers run on this thread, at this point.</summary>
    public void DictClear() => Containers.PyDict_Clear(Self());

    /// <summary><c>len(obj)</c>.</summary>
    public long Length()
    {
        var size = Objects.PyObject_Size(Self());
        return size < 0 ? throw _py.Error() : size;
    }

    /// <summary>Appends to a list.</summary>
    public void Append(PyBound item)
    {
        if (Containers.PyList_Append(Self(), Arg(item, nameof(item))) < 0)
        {
            throw _py.Error();
        }
    }

    /// <summary>Adds to a set.</summary>
    public void Add(PyBound item)
    {
        if (Containers.PySet_Add(Self(), Arg(item, nameof(item))) < 0)
        {
            throw _py.Error();
        }
    }

    /// <summary><c>bool(obj)</c>.</summary>
    public bool IsTrue()
    {
        var result = Objects.PyObject_IsTrue(Self());
        return result < 0 ? throw _py.Error() : result != 0;
    }

    /// <summary><c>isinstance(obj, type)</c>.</summary>
    public bool IsInstance(PyBound type)
    {
        var result = Objects.PyObject_IsInstance(Self(), Arg(type, nameof(type)));
        return result < 0 ? throw _py.Error() : result != 0;
    }

    /// <summary><c>obj == other</c>.</summary>
    public bool EqualsValue(PyBound other)
    {
        var result = Objects.PyObject_RichCompareBool(Self(), Arg(other, nameof(other)), 2);
        return result < 0 ? throw _py.Error() : result != 0;
    }

    /// <summary><c>str(obj)</c> as a .NET string.</summary>
    public string Str()
    {
        using var text = _py.Own(Objects.PyObject_Str(Self()));
        return text.GetString();
    }

    /// <summary><c>repr(obj)</c> as a .NET string.</summary>
    public string Repr()
    {
        using var text = _py.Own(Objects.PyObject_Repr(Self()));
        return text.GetString();
    }

    /// <summary>The value of a <c>str</c>, as valid UTF-16: each surrogate code point a Python str may hold
    /// (<c>'\ud800'</c>) becomes U+FFFD, so the text is safe for any strict consumer (JSON, HTTP).</summary>
    public string GetString() => PyText.Read(_py, Self());

    /// <summary>The value of an <c>int</c> that fits in 64 bits (OverflowError otherwise).</summary>
    public unsafe long GetInt64()
    {
        int overflow;
        var value = Scalars.PyLong_AsLongLongAndOverflow(Self(), &overflow);
        if (overflow != 0)
        {
            throw new OverflowException("The Python int does not fit in 64 bits; use GetBigInteger().");
        }
        if (value == -1)
        {
            _py.ThrowIfError();
        }
        return value;
    }

    /// <summary>The value of an <c>int</c> of any size.</summary>
    public unsafe BigInteger GetBigInteger()
    {
        int overflow;
        var value = Scalars.PyLong_AsLongLongAndOverflow(Self(), &overflow);
        if (overflow == 0)
        {
            if (value == -1)
            {
                _py.ThrowIfError();
            }
            return value;
        }
        // Exact, via hex digits: not subject to Python's int-to-decimal digit limit.
        using var hex = _py.Own(Objects.PyNumber_ToBase(Self(), 16));
        var text = hex.GetString();
        var negative = text.StartsWith('-');
        var digits = text[(negative ? 3 : 2)..];
        var magnitude = BigInteger.Parse("0" + digits, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return negative ? -magnitude : magnitude;
    }

    /// <summary>The value of a <c>float</c> (or anything with <c>__float__</c>).</summary>
    public double GetDouble()
    {
        var value = Scalars.PyFloat_AsDouble(Self());
        if (value == -1.0)
        {
            _py.ThrowIfError();
        }
        return value;
    }

    /// <summary>The value of a <c>bool</c>; any other type throws <see cref="InvalidCastException"/>.</summary>
    public bool GetBoolean()
    {
        var self = Self().Pointer;
        if (self == _py.B.True)
        {
            return true;
        }
        return self == _py.B.False ? false : throw new InvalidCastException($"Expected a bool, got {TypeName}.");
    }

    /// <summary>A copy of a <c>bytes</c> value.</summary>
    public byte[] GetBytes()
    {
        NotNull();
        return GetBytesSpan().ToArray();
    }

    /// <summary>The contents of a <c>bytes</c> object; valid while this handle is.</summary>
    internal unsafe ReadOnlySpan<byte> GetBytesSpan()
    {
        byte* buffer;
        nint length;
        if (Native.Bytes.PyBytes_AsStringAndSize(Self(), &buffer, &length) < 0)
        {
            throw _py.Error();
        }
        return new ReadOnlySpan<byte>(buffer, checked((int)length));
    }

    /// <summary><c>str(obj)</c>.</summary>
    public override string ToString() => IsNull ? "<null>" : Str();

    /// <summary>Throws for a null handle, naming the public member that was called (see the struct remarks).</summary>
    internal void NotNull([CallerMemberName] string member = "") => _ = Self(member);

    /// <summary>This handle's reference for a public member; the one null check every member goes through.</summary>
    private BorrowedRef Self([CallerMemberName] string member = "")
    {
        if (_pointer == 0)
        {
            ThrowNull(member);
        }
        return new BorrowedRef(_pointer);
    }

    /// <summary>An argument that must be an object: a null handle throws <see cref="ArgumentException"/> naming it.</summary>
    private static BorrowedRef Arg(PyBound value, string parameter, [CallerMemberName] string member = "")
    {
        if (value._pointer == 0)
        {
            throw new ArgumentException($"PyBound.{member}: {parameter} is a null handle (default(PyBound)); pass an object (py.None for None).", parameter);
        }
        return new BorrowedRef(value._pointer);
    }

    [DoesNotReturn]
    private static void ThrowNull(string member) =>
        throw new InvalidOperationException($"PyBound.{member} was called on a null handle (default(PyBound), or a missing result such as GetAttrOrNull's).");

    /// <summary>A NUL-terminated UTF-8 copy for a C-string parameter. A NUL inside <paramref name="value"/> throws
    /// <see cref="ArgumentException"/>: CPython would silently use only the text before it.</summary>
    internal static ReadOnlySpan<byte> Utf8Z(string value, Span<byte> scratch, string parameter, [CallerMemberName] string member = "")
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{member}: {parameter} contains a NUL character, which a C string cannot carry.", parameter);
        }
        var needed = Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
        var buffer = needed <= scratch.Length ? scratch : new byte[needed];
        var written = Encoding.UTF8.GetBytes(value, buffer);
        buffer[written] = 0;
        return buffer[..(written + 1)];
    }
}
