using System.Numerics;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A <c>str</c> (or subclass) view.</summary>
public readonly ref struct PyStr : IPyObjectType<PyStr>
{
    private readonly PyBound _str;

    internal PyStr(PyBound str) => _str = str;

    /// <inheritdoc />
    public static string PythonTypeName => "str";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_UNICODE_SUBCLASS) != 0;

    static PyStr IPyObjectType<PyStr>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _str;

    /// <summary>A new str.</summary>
    public static PyStr New(Python py, string value) => new(py.Str(value));

    /// <summary>The text (lone surrogates become U+FFFD; see <see cref="PyBound.GetString"/>).</summary>
    public string Value => _str.Checked(nameof(PyStr), nameof(Value)).GetString();

    /// <summary><c>len(str)</c>: code points, not UTF-16 units.</summary>
    public int Length => checked((int)_str.Checked(nameof(PyStr), nameof(Length)).Length());

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _str.Dispose();

    /// <summary>The text.</summary>
    public override string ToString() => _str.IsNull ? "<null>" : Value;
}

/// <summary>An <c>int</c> (or subclass, bool included, as in Python) view.</summary>
public readonly ref struct PyInt : IPyObjectType<PyInt>
{
    private readonly PyBound _int;

    internal PyInt(PyBound value) => _int = value;

    /// <inheritdoc />
    public static string PythonTypeName => "int";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_LONG_SUBCLASS) != 0;

    static PyInt IPyObjectType<PyInt>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _int;

    /// <summary>The value if it fits in 64 bits (<see cref="OverflowException"/> otherwise).</summary>
    public long ToInt64() => _int.Checked(nameof(PyInt), nameof(ToInt64)).GetInt64();

    /// <summary>The exact value.</summary>
    public BigInteger ToBigInteger() => _int.Checked(nameof(PyInt), nameof(ToBigInteger)).GetBigInteger();

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _int.Dispose();

    /// <summary>The decimal digits.</summary>
    public override string ToString() => _int.ToString();
}

/// <summary>A <c>float</c> (or subclass) view.</summary>
public readonly ref struct PyFloat : IPyObjectType<PyFloat>
{
    private readonly PyBound _float;

    internal PyFloat(PyBound value) => _float = value;

    /// <inheritdoc />
    public static string PythonTypeName => "float";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => obj.HasType(obj.Py.B.FloatType);

    static PyFloat IPyObjectType<PyFloat>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _float;

    /// <summary>The value.</summary>
    public double Value => _float.Checked(nameof(PyFloat), nameof(Value)).GetDouble();

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _float.Dispose();

    /// <summary><c>str(float)</c>.</summary>
    public override string ToString() => _float.ToString();
}

/// <summary>A <c>bool</c> view (<c>True</c> or <c>False</c>; bool cannot be subclassed).</summary>
public readonly ref struct PyBool : IPyObjectType<PyBool>
{
    private readonly PyBound _bool;

    internal PyBool(PyBound value) => _bool = value;

    /// <inheritdoc />
    public static string PythonTypeName => "bool";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => obj.Pointer == obj.Py.B.True || obj.Pointer == obj.Py.B.False;

    static PyBool IPyObjectType<PyBool>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _bool;

    /// <summary>The value.</summary>
    public bool Value => _bool.Checked(nameof(PyBool), nameof(Value)).GetBoolean();

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _bool.Dispose();

    /// <summary><c>True</c> or <c>False</c>.</summary>
    public override string ToString() => _bool.ToString();
}

/// <summary>A <c>bytes</c> (or subclass) view.</summary>
public readonly ref struct PyBytes : IPyObjectType<PyBytes>
{
    private readonly PyBound _bytes;

    internal PyBytes(PyBound value) => _bytes = value;

    /// <inheritdoc />
    public static string PythonTypeName => "bytes";

    /// <inheritdoc />
    public static bool TypeCheck(PyBound obj) => (obj.TypeFlags() & Objects.Py_TPFLAGS_BYTES_SUBCLASS) != 0;

    static PyBytes IPyObjectType<PyBytes>.Wrap(PyBound obj) => new(obj);

    /// <inheritdoc />
    public PyBound AsBound => _bytes;

    /// <summary>A new bytes object (a copy of <paramref name="value"/>).</summary>
    public static PyBytes New(Python py, ReadOnlySpan<byte> value) => new(py.Bytes(value));

    /// <summary>The contents without copying; valid while this view's reference is held (bytes are immutable).</summary>
    public ReadOnlySpan<byte> AsSpan() => _bytes.Checked(nameof(PyBytes), nameof(AsSpan)).GetBytesSpan();

    /// <summary><c>len(bytes)</c>.</summary>
    public int Length => AsSpan().Length;

    /// <summary>A copy of the contents.</summary>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>Releases the shared reference.</summary>
    public void Dispose() => _bytes.Dispose();

    /// <summary><c>repr(bytes)</c>.</summary>
    public override string ToString() => _bytes.IsNull ? "<null>" : _bytes.Repr();
}
