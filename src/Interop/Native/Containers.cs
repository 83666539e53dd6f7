using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/listobject.h, Include/tupleobject.h, Include/dictobject.h, Include/setobject.h
internal static unsafe partial class Containers
{
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyList_New(nint size);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyList_Size(BorrowedRef list);
    /// <summary>Borrowed item; only safe while no other thread can mutate the list (GIL builds).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyList_GetItem(BorrowedRef list, nint index);
    /// <summary>Strong item (3.13+); the free-threaded-safe getter.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyList_GetItemRef(BorrowedRef list, nint index);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyList_SetItem(BorrowedRef list, nint index, NewRef item);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyList_Append(BorrowedRef list, BorrowedRef item);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyList_AsTuple(BorrowedRef list);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyTuple_New(nint size);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyTuple_Size(BorrowedRef tuple);
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyTuple_GetItem(BorrowedRef tuple, nint index);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyTuple_SetItem(BorrowedRef tuple, nint index, NewRef item);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyDict_New();
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_SetItem(BorrowedRef dict, BorrowedRef key, BorrowedRef value);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_SetItemString(BorrowedRef dict, byte* key, BorrowedRef value);
    /// <summary>Strong lookup (3.13+): 1 found, 0 missing, -1 error.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_GetItemRef(BorrowedRef dict, BorrowedRef key, nint* result);
    /// <summary>Borrowed lookup without error suppression (3.11/3.12 fallback for GIL builds).</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial BorrowedRef PyDict_GetItemWithError(BorrowedRef dict, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_DelItem(BorrowedRef dict, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_Contains(BorrowedRef dict, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PyDict_Size(BorrowedRef dict);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyDict_Clear(BorrowedRef dict);
    /// <summary>Iterates with borrowed key/value; callers take their own references before running any Python.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_Next(BorrowedRef dict, nint* pos, nint* key, nint* value);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyDict_Copy(BorrowedRef dict);

    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PySet_New(BorrowedRef iterable);
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyFrozenSet_New(BorrowedRef iterable);
    [LibraryImport(PythonLibrary.Name)] public static partial int PySet_Add(BorrowedRef set, BorrowedRef key);
    [LibraryImport(PythonLibrary.Name)] public static partial nint PySet_Size(BorrowedRef set);
}

// Include/cpython/critical_section.h (3.13+, only meaningful on free-threaded builds)
internal static unsafe partial class CriticalSection
{
    /// <summary>Matches <c>PyCriticalSection</c>: two pointer-sized fields, caller-allocated.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PyCriticalSection
    {
        public nint Prev;
        public nint Mutex;
    }

    [LibraryImport(PythonLibrary.Name)] public static partial void PyCriticalSection_Begin(PyCriticalSection* section, BorrowedRef op);
    [LibraryImport(PythonLibrary.Name)] public static partial void PyCriticalSection_End(PyCriticalSection* section);
}
