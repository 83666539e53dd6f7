using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

/// <summary>Declarations without the GC transition, for the bulk conversions' inner loops.</summary>
/// <remarks>
/// <c>[SuppressGCTransition]</c> is only sound for calls that are short, never block, and never call back into
/// managed code. Each entry here qualifies only as used: creating an int or float (allocation runs no Python code:
/// neither type is tracked by the cyclic GC), reading a tuple slot, and <c>PyList_SetItem</c> into an empty slot of a
/// new list (there is no old item whose release could run a finalizer). Callers elsewhere use the normal declarations.
/// </remarks>
internal static unsafe partial class FastNative
{
    [LibraryImport(PythonLibrary.Name), SuppressGCTransition] public static partial NewRef PyLong_FromLongLong(long value);
    [LibraryImport(PythonLibrary.Name), SuppressGCTransition] public static partial NewRef PyFloat_FromDouble(double value);
    [LibraryImport(PythonLibrary.Name), SuppressGCTransition] public static partial BorrowedRef PyTuple_GetItem(BorrowedRef tuple, nint index);

    /// <summary>Only into an empty slot of a list this thread just created.</summary>
    [LibraryImport(PythonLibrary.Name, EntryPoint = "PyList_SetItem"), SuppressGCTransition]
    public static partial int PyList_SetItem(BorrowedRef list, nint index, NewRef item);
}

/// <summary>Capsule reads on the callback path: a pure C lookup, no Python code.</summary>
internal static unsafe partial class FastNative
{
    [LibraryImport(PythonLibrary.Name), SuppressGCTransition] public static partial nint PyCapsule_GetPointer(BorrowedRef capsule, byte* name);
}
