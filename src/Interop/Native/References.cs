using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// These two wrappers make reference ownership visible in the native declarations:
// a function that returns NewRef hands the caller a strong reference it must release
// (or pass on to a function that steals it); BorrowedRef is only valid while its owner
// keeps the object alive. Both are blittable, so they cross the P/Invoke boundary as-is.

/// <summary>A reference the caller does not own (CPython's "borrowed reference").</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct BorrowedRef(nint pointer)
{
    public readonly nint Pointer = pointer;
    public bool IsNull => Pointer == 0;
    public static BorrowedRef Null => default;
}

/// <summary>A strong reference owned by whoever holds it (CPython's "new reference").</summary>
/// <remarks>
/// As a parameter type it marks a function that steals the reference (PyList_SetItem, PyTuple_SetItem).
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NewRef(nint pointer)
{
    public readonly nint Pointer = pointer;
    public bool IsNull => Pointer == 0;
    public BorrowedRef Borrow() => new(Pointer);
}
