using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/pyerrors.h, Include/cpython/pyerrors.h
internal static unsafe partial class Errors
{
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyErr_Occurred();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_Clear();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_SetString(BorrowedRef type, byte* message);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_SetObject(BorrowedRef type, BorrowedRef value);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyErr_ExceptionMatches(BorrowedRef type);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyErr_GivenExceptionMatches(BorrowedRef given, BorrowedRef type);

    /// <summary>3.12+: the raised exception as one object (the type and traceback hang off it).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyErr_GetRaisedException();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_SetRaisedException(NewRef exception);

    /// <summary>3.11: the legacy triple; each out-value is a new reference (possibly null).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_Fetch(nint* type, nint* value, nint* traceback);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_NormalizeException(nint* type, nint* value, nint* traceback);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyErr_Restore(NewRef type, NewRef value, NewRef traceback);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyException_GetTraceback(BorrowedRef exception);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyException_SetTraceback(BorrowedRef exception, BorrowedRef traceback);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyException_GetCause(BorrowedRef exception);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyException_GetContext(BorrowedRef exception);
}
