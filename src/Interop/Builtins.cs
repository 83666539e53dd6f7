using System.Runtime.InteropServices;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Addresses of the singletons, built-in types and exception types, read once after initialisation.</summary>
/// <remarks>
/// Type objects and singletons are statically allocated (immortal from 3.12), so their addresses stay valid
/// for the interpreter's life. Identity comparison against them replaces the <c>Py*_CheckExact</c> macros,
/// which would have to read <c>ob_type</c> from the object header, whose layout differs on free-threaded builds.
/// </remarks>
internal sealed unsafe class Builtins
{
    public Builtins()
    {
        None = PythonLibrary.GetExport("_Py_NoneStruct");
        True = PythonLibrary.GetExport("_Py_TrueStruct");
        False = PythonLibrary.GetExport("_Py_FalseStruct");
        NotImplemented = PythonLibrary.GetExport("_Py_NotImplementedStruct");
        LongType = PythonLibrary.GetExport("PyLong_Type");
        FloatType = PythonLibrary.GetExport("PyFloat_Type");
        UnicodeType = PythonLibrary.GetExport("PyUnicode_Type");
        BoolType = PythonLibrary.GetExport("PyBool_Type");
        BytesType = PythonLibrary.GetExport("PyBytes_Type");
        ByteArrayType = PythonLibrary.GetExport("PyByteArray_Type");
        ListType = PythonLibrary.GetExport("PyList_Type");
        TupleType = PythonLibrary.GetExport("PyTuple_Type");
        DictType = PythonLibrary.GetExport("PyDict_Type");
        SetType = PythonLibrary.GetExport("PySet_Type");
        FrozenSetType = PythonLibrary.GetExport("PyFrozenSet_Type");
        CodeType = PythonLibrary.GetExport("PyCode_Type");

        BaseException = Exception("PyExc_BaseException");
        SyntaxError = Exception("PyExc_SyntaxError");
        SystemExit = Exception("PyExc_SystemExit");
        KeyboardInterrupt = Exception("PyExc_KeyboardInterrupt");
        RecursionError = Exception("PyExc_RecursionError");
        MemoryError = Exception("PyExc_MemoryError");
        TypeError = Exception("PyExc_TypeError");
        ValueError = Exception("PyExc_ValueError");
        OverflowError = Exception("PyExc_OverflowError");
        RuntimeError = Exception("PyExc_RuntimeError");
        StopIteration = Exception("PyExc_StopIteration");
        AttributeError = Exception("PyExc_AttributeError");
        KeyError = Exception("PyExc_KeyError");
        ModuleType = PythonLibrary.GetExport("PyModule_Type");
        HasCriticalSections = IsFreeThreadedBuild() && PythonLibrary.TryGetExport("PyCriticalSection_Begin", out _);

        Interpreter = State.PyInterpreterState_Get();
        VersionText = Marshal.PtrToStringUTF8((nint)Lifecycle.Py_GetVersion()) ?? "";
        IsFreeThreaded = IsFreeThreadedBuild();
        HasStrongListGetter = PythonLibrary.TryGetExport("PyList_GetItemRef", out _);
        HasStrongDictGetter = PythonLibrary.TryGetExport("PyDict_GetItemRef", out _);
        HasRaisedExceptionApi = PythonLibrary.TryGetExport("PyErr_GetRaisedException", out _);
    }

    public nint None { get; }
    public nint True { get; }
    public nint False { get; }
    public nint NotImplemented { get; }
    public nint LongType { get; }
    public nint FloatType { get; }
    public nint UnicodeType { get; }
    public nint BoolType { get; }
    public nint BytesType { get; }
    public nint ByteArrayType { get; }
    public nint ListType { get; }
    public nint TupleType { get; }
    public nint DictType { get; }
    public nint SetType { get; }
    public nint FrozenSetType { get; }
    public nint CodeType { get; }

    public nint BaseException { get; }
    public nint SyntaxError { get; }
    public nint SystemExit { get; }
    public nint KeyboardInterrupt { get; }
    public nint RecursionError { get; }
    public nint MemoryError { get; }
    public nint TypeError { get; }
    public nint ValueError { get; }
    public nint OverflowError { get; }
    public nint RuntimeError { get; }
    public nint StopIteration { get; }
    public nint AttributeError { get; }
    public nint KeyError { get; }
    public nint ModuleType { get; }

    /// <summary>Free-threaded 3.13+: <c>PyCriticalSection_Begin/End</c> exist and do something (on GIL builds they are
    /// no-ops, and 3.11/3.12 lack them, so Interop skips the calls there).</summary>
    public bool HasCriticalSections { get; }

    /// <summary>The main interpreter (<c>PyInterpreterState*</c>).</summary>
    public nint Interpreter { get; }

    public string VersionText { get; }
    public bool IsFreeThreaded { get; }

    /// <summary>3.13+: PyList_GetItemRef exists (strong-reference getter, required on free-threaded builds).</summary>
    public bool HasStrongListGetter { get; }

    /// <summary>3.13+: PyDict_GetItemRef exists.</summary>
    public bool HasStrongDictGetter { get; }

    /// <summary>3.12+: PyErr_GetRaisedException replaces the PyErr_Fetch triple.</summary>
    public bool HasRaisedExceptionApi { get; }

    // PyExc_* are `PyObject *` variables: the export is the address of the pointer.
    private static nint Exception(string symbol) => *(nint*)PythonLibrary.GetExport(symbol);

    private static bool IsFreeThreadedBuild() => ReadAbiFlags().Contains('t', StringComparison.Ordinal);

    private static string ReadAbiFlags()
    {
        fixed (byte* sys = "sys"u8)
        fixed (byte* abiflags = "abiflags"u8)
        {
            using var module = Run.PyImport_ImportModule(sys).Own();
            using var flags = Objects.PyObject_GetAttrString(module.Borrow(), abiflags).Own();
            if (flags.IsNull)
            {
                Errors.PyErr_Clear();
                return "";
            }
            nint size;
            var utf8 = Unicode.PyUnicode_AsUTF8AndSize(flags.Borrow(), &size);
            return utf8 is null ? "" : Marshal.PtrToStringUTF8((nint)utf8, (int)size);
        }
    }

    /// <summary>sys._is_gil_enabled() where it exists (3.13+), else true.</summary>
    public bool QueryGilEnabled(Python py)
    {
        if (!IsFreeThreaded)
        {
            return true;
        }
        using var sys = py.Import("sys");
        using var probe = sys.GetAttr("_is_gil_enabled");
        using var result = probe.Call();
        return result.IsTrue();
    }
}
