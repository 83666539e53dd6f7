using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/bytesobject.h, Include/bytearrayobject.h
internal static unsafe partial class Bytes
{
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyBytes_FromStringAndSize(byte* data, nint size);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyBytes_AsStringAndSize(BorrowedRef o, byte** buffer, nint* length);
    [LibraryImport(PythonLibrary.Name)] public static partial byte* PyByteArray_AsString(BorrowedRef o);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyByteArray_Size(BorrowedRef o);
    /// <summary>A bytes copy of any buffer-protocol object (used for bytearray, whose buffer can move).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyBytes_FromObject(BorrowedRef o);
}
