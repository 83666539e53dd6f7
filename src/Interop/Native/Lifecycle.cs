using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

/// <summary>PyStatus, returned by value from the configuration API (Include/cpython/initconfig.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyStatus
{
    public int Type;      // 0 ok, 1 error, 2 exit
    public nint Func;     // const char*
    public nint ErrMsg;   // const char*
    public int ExitCode;
}

// Include/pylifecycle.h, Include/cpython/initconfig.h, Include/cpython/pylifecycle.h
internal static unsafe partial class Lifecycle
{
    [LibraryImport(PythonLibrary.Name)] public static partial byte* Py_GetVersion();
    [LibraryImport(PythonLibrary.Name)] public static partial int Py_IsInitialized();
    [LibraryImport(PythonLibrary.Name)] public static partial int Py_FinalizeEx();

    // PyConfig (3.8 - 3.13): the struct is caller-allocated and its layout is version specific.
    [LibraryImport(PythonLibrary.Name)] public static partial void PyConfig_InitIsolatedConfig(byte* config);
    [LibraryImport(PythonLibrary.Name)] public static partial PyStatus PyConfig_SetBytesString(byte* config, nint* field, byte* value);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyConfig_Clear(byte* config);
    [LibraryImport(PythonLibrary.Name)] public static partial PyStatus Py_InitializeFromConfig(byte* config);

    // PyInitConfig (3.14+): opaque, set by option name.
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyInitConfig_Create();
    [LibraryImport(PythonLibrary.Name)] public static partial void PyInitConfig_Free(nint config);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyInitConfig_SetInt(nint config, byte* name, long value);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyInitConfig_SetStr(nint config, byte* name, byte* value);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyInitConfig_GetError(nint config, byte** message);
    [LibraryImport(PythonLibrary.Name)] public static partial int Py_InitializeFromInitConfig(nint config);
}
