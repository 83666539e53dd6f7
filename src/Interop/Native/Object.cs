using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/object.h, Include/abstract.h (object protocol), Include/cpython/object.h
internal static unsafe partial class Objects
{
    [LibraryImport(PythonLibrary.Name)] public static partial void Py_IncRef(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial void Py_DecRef(nint o);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_Type(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial ulong PyType_GetFlags(BorrowedRef type);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyType_IsSubtype(BorrowedRef a, BorrowedRef b);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_IsInstance(BorrowedRef inst, BorrowedRef cls);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_GetAttrString(BorrowedRef o, byte* name);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_GetAttr(BorrowedRef o, BorrowedRef name);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_SetAttrString(BorrowedRef o, byte* name, BorrowedRef value);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_HasAttrString(BorrowedRef o, byte* name);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_Str(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_Repr(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_IsTrue(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_RichCompareBool(BorrowedRef a, BorrowedRef b, int op);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyObject_Hash(BorrowedRef o);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_GetItem(BorrowedRef o, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_SetItem(BorrowedRef o, BorrowedRef key, BorrowedRef value);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyObject_Size(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_GetIter(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyIter_Next(BorrowedRef iterator);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_Call(BorrowedRef callable, BorrowedRef args, BorrowedRef kwargs);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_CallNoArgs(BorrowedRef callable);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_CallOneArg(BorrowedRef callable, BorrowedRef arg);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_Vectorcall(BorrowedRef callable, nint* args, nuint nargsf, BorrowedRef kwnames);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyObject_VectorcallMethod(BorrowedRef name, nint* args, nuint nargsf, BorrowedRef kwnames);

    /// <summary>Exact digits of an int (base 2, 8, 10 or 16), ignoring any <c>__str__</c> override; base 10 obeys
    /// <c>sys.int_max_str_digits</c>, the power-of-two bases do not.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyNumber_ToBase(BorrowedRef n, int @base);
    /// <summary>A new list of <c>(key, value)</c> tuples from <c>o.items()</c> (honours OrderedDict order).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyMapping_Items(BorrowedRef o);

    // Py_TPFLAGS_* bits used for fast subclass checks (Include/object.h).
    public const ulong Py_TPFLAGS_LONG_SUBCLASS = 1UL << 24;
    public const ulong Py_TPFLAGS_LIST_SUBCLASS = 1UL << 25;
    public const ulong Py_TPFLAGS_TUPLE_SUBCLASS = 1UL << 26;
    public const ulong Py_TPFLAGS_BYTES_SUBCLASS = 1UL << 27;
    public const ulong Py_TPFLAGS_UNICODE_SUBCLASS = 1UL << 28;
    public const ulong Py_TPFLAGS_DICT_SUBCLASS = 1UL << 29;
    public const ulong Py_TPFLAGS_BASE_EXC_SUBCLASS = 1UL << 30;
    public const ulong Py_TPFLAGS_TYPE_SUBCLASS = 1UL << 31;

    public static readonly nuint PY_VECTORCALL_ARGUMENTS_OFFSET = unchecked((nuint)(1UL << 63));
}
