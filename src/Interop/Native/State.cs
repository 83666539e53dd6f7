using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/pystate.h, Include/ceval.h (thread attachment), Include/cpython/pystate.h
internal static partial class State
{
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyEval_SaveThread();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyEval_RestoreThread(nint threadState);

    [LibraryImport(PythonLibrary.Name)] public static partial nint PyInterpreterState_Get();
    [LibraryImport(PythonLibrary.Name)] public static partial long PyInterpreterState_GetID(nint interpreter);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyInterpreterState_ThreadHead(nint interpreter);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyThreadState_Next(nint threadState);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyThreadState_GetInterpreter(nint threadState);

    // Include/cpython/pylifecycle.h (3.12+): sub-interpreters. The config is seven ints in 3.12, 3.13 and 3.14.
    [LibraryImport(PythonLibrary.Name)] public static unsafe partial PyStatus Py_NewInterpreterFromConfig(nint* threadState, InterpreterConfig* config);
    [LibraryImport(PythonLibrary.Name)] public static partial void Py_EndInterpreter(nint threadState);
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
    /// <summary>Returns 1 unconditionally once any sub-interpreter has been created (CPython turns its check off then);
    /// <see cref="CurrentThreadState"/> is the reliable probe.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial int PyGILState_Check();

    /// <summary>The calling thread's current (attached) thread state, or 0: <c>PyThreadState_GetUnchecked</c> (3.13+), named
    /// <c>_PyThreadState_UncheckedGet</c> before.</summary>
    public static unsafe nint CurrentThreadState()
    {
        var get = s_uncheckedGet;
        if (get == 0)
        {
            get = s_uncheckedGet = PythonLibrary.TryGetExport("PyThreadState_GetUnchecked", out var address)
                ? address
                : PythonLibrary.GetExport("_PyThreadState_UncheckedGet");
        }
        return ((delegate* unmanaged<nint>)get)();
    }

    private static nint s_uncheckedGet;
    /// <summary>The thread state CPython has bound to this OS thread (attached or not); 0 if none.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyGILState_GetThisThreadState();
}

/// <summary>PyInterpreterConfig (Include/cpython/pylifecycle.h, 3.12+; the same seven ints in 3.12, 3.13 and 3.14).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct InterpreterConfig
{
    public int UseMainObmalloc;
    public int AllowFork;
    public int AllowExec;
    public int AllowThreads;
    public int AllowDaemonThreads;
    public int CheckMultiInterpExtensions;
    public int Gil; // 0 default, 1 shared, 2 own (PyInterpreterConfig_OWN_GIL)
}
