using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/pystate.h, Include/ceval.h (thread attachment), Include/cpython/pystate.h
internal static partial class State
{
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyEval_SaveThread();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyEval_RestoreThread(nint threadState);

    [LibraryImport(PythonLibrary.Name)] public static partial nint PyInterpreterState_Get();
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyThreadState_New(nint interpreter);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyThreadState_Clear(nint threadState);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyThreadState_Delete(nint threadState);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyThreadState_DeleteCurrent();
    [LibraryImport(PythonLibrary.Name)] public static partial ulong PyThreadState_GetID(nint threadState);
    // Include/pythread.h
    [LibraryImport(PythonLibrary.Name)] public static partial ulong PyThread_get_thread_ident();

    [LibraryImport(PythonLibrary.Name)] public static partial int PyThreadState_SetAsyncExc(ulong threadId, BorrowedRef exception);

    /// <summary>PyGILState_STATE: 0 = LOCKED (was attached), 1 = UNLOCKED (was not).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial int PyGILState_Ensure();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyGILState_Release(int state);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyGILState_Check();
    /// <summary>The thread state CPython has bound to this OS thread (attached or not); 0 if none.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyGILState_GetThisThreadState();
}
