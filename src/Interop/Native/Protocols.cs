using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/abstract.h (sequence, iterator, callable protocols), Include/moduleobject.h, Include/pycapsule.h,
// Include/methodobject.h, Include/pybuffer.h, Include/object.h (PyType_FromSpec)
internal static unsafe partial class Protocols
{
    [LibraryImport(PythonLibrary.Name)] public static partial int PyIter_Check(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyCallable_Check(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial int PySequence_Contains(BorrowedRef seq, BorrowedRef value);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PySequence_Tuple(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyDict_Keys(BorrowedRef dict);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyDict_Values(BorrowedRef dict);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyDict_Items(BorrowedRef dict);
    [LibraryImport(PythonLibrary.Name)] public static partial int PySet_Contains(BorrowedRef set, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial int PySet_Discard(BorrowedRef set, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyList_Insert(BorrowedRef list, nint index, BorrowedRef item);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyTuple_GetSlice(BorrowedRef tuple, nint low, nint high);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyModule_New(byte* name);
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyModule_GetDict(BorrowedRef module);
    /// <summary>sys.modules (borrowed from the interpreter).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyImport_GetModuleDict();

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyCapsule_New(nint pointer, byte* name, delegate* unmanaged<nint, void> destructor);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyCapsule_GetPointer(BorrowedRef capsule, byte* name);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyCapsule_GetContext(BorrowedRef capsule);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyCapsule_SetContext(BorrowedRef capsule, nint context);

    /// <summary><c>PyCFunction_NewEx(ml, self, module)</c>: the method definition must outlive the function object.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyCFunction_NewEx(PyMethodDef* definition, BorrowedRef self, BorrowedRef module);

    [LibraryImport(PythonLibrary.Name)] public static partial int PyObject_GetBuffer(BorrowedRef exporter, Py_buffer* view, int flags);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyBuffer_Release(Py_buffer* view);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyType_FromSpecWithBases(PyTypeSpec* spec, BorrowedRef bases);

    public const int METH_VARARGS = 0x0001;
    public const int METH_KEYWORDS = 0x0002;
    public const int METH_FASTCALL = 0x0080;

    // Include/pybuffer.h request flags.
    public const int PyBUF_WRITABLE = 0x0001;
    public const int PyBUF_FORMAT = 0x0004;
    public const int PyBUF_ND = 0x0008;
    public const int PyBUF_STRIDES = 0x0010 | PyBUF_ND;
    public const int PyBUF_RECORDS_RO = PyBUF_STRIDES | PyBUF_FORMAT;

    // Include/typeslots.h
    public const int Py_bf_getbuffer = 1;
    public const int Py_bf_releasebuffer = 2;
}

/// <summary><c>PyMethodDef</c> (Include/methodobject.h): four pointer-sized fields, stable ABI.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyMethodDef
{
    public byte* Name;
    public nint Method;
    public int Flags;
    public byte* Doc;
}

/// <summary><c>Py_buffer</c> (Include/pybuffer.h): part of the stable ABI since 3.11, the same on free-threaded builds.
/// A plain C struct the caller allocates, not a Python object, so reading its fields is allowed.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Py_buffer
{
    public void* Buf;
    public nint Obj;
    public nint Len;
    public nint ItemSize;
    public int ReadOnly;
    public int NDim;
    public byte* Format;
    public nint* Shape;
    public nint* Strides;
    public nint* SubOffsets;
    public void* Internal;
}

/// <summary><c>PyType_Slot</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyTypeSlot
{
    public int Slot;
    public nint Pfunc;
}

/// <summary><c>PyType_Spec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyTypeSpec
{
    public byte* Name;
    public int BasicSize;
    public int ItemSize;
    public uint Flags;
    public PyTypeSlot* Slots;
}
