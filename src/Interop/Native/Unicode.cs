using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/unicodeobject.h, Include/cpython/unicodeobject.h
internal static unsafe partial class Unicode
{
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyUnicode_FromStringAndSize(byte* utf8, nint size);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyUnicode_DecodeUTF16(byte* data, nint size, byte* errors, int* byteorder);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyUnicode_DecodeUTF8(byte* data, nint size, byte* errors);

    /// <summary>Returns a pointer into the object's cached UTF-8 form; valid while the object lives.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial byte* PyUnicode_AsUTF8AndSize(BorrowedRef o, nint* size);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyUnicode_AsEncodedString(BorrowedRef o, byte* encoding, byte* errors);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyUnicode_InternFromString(byte* utf8);
}
