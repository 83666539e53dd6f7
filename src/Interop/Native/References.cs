using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Reference ownership, visible in the types (PyO3 keeps Bound/Borrowed/Py apart inside its own
// implementation for the same reason):
//
//   BorrowedRef  someone else's reference; valid while its owner keeps the object alive.
//   NewRef       a strong reference in transit or at rest: what a native call returns, what a stealing
//                function takes (PyTuple_SetItem), and what a long-lived cache stores. Blittable.
//   OwnedRef     a strong reference owned by one stack frame: disposing it decrefs. Own() turns a NewRef
//                into one; Steal() hands it on as a NewRef.
//
// These are the only places that call Py_IncRef/Py_DecRef; everything else in Interop goes through them.

/// <summary>A reference the caller does not own (CPython's "borrowed reference").</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct BorrowedRef(nint pointer)
{
    public readonly nint Pointer = pointer;
    public bool IsNull => Pointer == 0;
    public static BorrowedRef Null => default;

    /// <summary>A strong reference of the caller's own to the same object (Py_IncRef; null stays null).</summary>
    public OwnedRef NewReference()
    {
        if (Pointer != 0)
        {
            Objects.Py_IncRef(this);
        }
        return new OwnedRef(Pointer);
    }
}

/// <summary>A strong reference owned by whoever holds it (CPython's "new reference").</summary>
/// <remarks>
/// As a return type it is a reference the caller now owns: call <see cref="Own"/> at once. As a parameter type it marks
/// a function that steals the reference (PyList_SetItem, PyTuple_SetItem). A cache that keeps one for longer releases
/// it with <see cref="Release"/>, exactly once, at the one point its remarks name.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NewRef(nint pointer)
{
    public readonly nint Pointer = pointer;
    public bool IsNull => Pointer == 0;
    public BorrowedRef Borrow() => new(Pointer);

    /// <summary>Scopes the reference to the calling frame: dispose the result (usually <c>using var</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public OwnedRef Own() => new(Pointer);

    /// <summary>Drops the reference (Py_DecRef; nothing for null). The holder must not use it afterwards.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Release()
    {
        if (Pointer != 0)
        {
            Objects.Py_DecRef(Pointer);
        }
    }
}

/// <summary>A strong reference owned by the current stack frame (null-aware): <see cref="Dispose"/> releases it,
/// <see cref="OwnedRefs.Steal"/> hands it on.</summary>
/// <remarks>
/// A copy of the struct shares the one reference: dispose or steal exactly one copy. <c>Steal</c> is a <c>ref</c>
/// extension so the compiler refuses it on a <c>using</c> variable (which would steal from a hidden copy and then
/// release the reference a second time at the end of the scope).
/// </remarks>
internal ref struct OwnedRef
{
    private nint _pointer;

    /// <summary>Takes over a strong reference (e.g. from <see cref="NewRef.Own"/>).</summary>
    public OwnedRef(nint pointer) => _pointer = pointer;

    public readonly bool IsNull => _pointer == 0;

    /// <summary>The address, for identity comparisons and vectorcall argument arrays; the reference stays owned here.</summary>
    public readonly nint Pointer => _pointer;

    public readonly BorrowedRef Borrow() => new(_pointer);

    /// <summary>Releases the reference (nothing for null, nothing the second time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        var pointer = _pointer;
        _pointer = 0;
        if (pointer != 0)
        {
            Objects.Py_DecRef(pointer);
        }
    }

    /// <summary>Takes the reference out, leaving this null; used by <see cref="OwnedRefs.Steal"/>.</summary>
    internal NewRef Take()
    {
        var pointer = _pointer;
        _pointer = 0;
        return new NewRef(pointer);
    }
}

/// <summary>Ownership transfer out of an <see cref="OwnedRef"/>.</summary>
internal static class OwnedRefs
{
    /// <summary>Hands the reference on (to a stealing function, a caller, a store) and leaves <paramref name="owned"/> null,
    /// so disposing it afterwards does nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NewRef Steal(this ref OwnedRef owned) => owned.Take();
}
