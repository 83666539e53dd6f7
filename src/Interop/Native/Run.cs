using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/pythonrun.h, Include/ceval.h, Include/import.h
internal static unsafe partial class Run
{
    public const int Py_single_input = 256;
    public const int Py_file_input = 257;
    public const int Py_eval_input = 258;

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef Py_CompileStringExFlags(byte* source, byte* filename, int start, nint flags, int optimize);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyEval_EvalCode(BorrowedRef code, BorrowedRef globals, BorrowedRef locals);
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyEval_GetBuiltins();

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyImport_ImportModule(byte* name);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyImport_Import(BorrowedRef name);
    /// <summary>The module from sys.modules, or null without an error when it is not imported.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyImport_GetModule(BorrowedRef name);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyImport_ReloadModule(BorrowedRef module);
}
