using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/longobject.h, Include/floatobject.h, Include/boolobject.h
internal static unsafe partial class Scalars
{
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyLong_FromLongLong(long value);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyLong_FromUnsignedLongLong(ulong value);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyLong_FromString(byte* str, byte** end, int @base);
    [LibraryImport(PythonLibrary.Name)] public static partial long PyLong_AsLongLongAndOverflow(BorrowedRef o, int* overflow);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyLong_FromUnicodeObject(BorrowedRef u, int @base);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyFloat_FromDouble(double value);
    [LibraryImport(PythonLibrary.Name)] public static partial double PyFloat_AsDouble(BorrowedRef o);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyBool_FromLong(long value);
}
