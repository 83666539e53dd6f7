using System.Runtime.InteropServices;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Holds an object's per-object lock for a compound operation (PyO3's <c>with_critical_section</c>):
/// <c>using (PyCriticalSection.Enter(dict)) { ... }</c>.</summary>
/// <remarks>
/// On free-threaded 3.13+ this is <c>PyCriticalSection_Begin/End</c>; on GIL builds it does nothing, because the GIL
/// already serialises every C-level operation. Unlike a .NET lock it cannot deadlock against the GIL or against another
/// critical section: CPython suspends the section whenever the thread blocks or detaches (including inside
/// <see cref="Python.Detach{T}(Func{T})"/>) and resumes it afterwards. The same property means it protects only code
/// that runs no Python and does not detach: treat it as a guard for a handful of C-level calls, not for a callback.
/// Dispose it on the thread that entered it, in reverse order of nesting.
/// </remarks>
public ref struct PyCriticalSection
{
    // CPython links sections into a per-thread stack by address, so the struct must not move while held:
    // it lives in native memory, not in this (copyable) ref struct.
    private unsafe CriticalSection.PyCriticalSection* _section;

    /// <summary>Enters the critical section of <paramref name="obj"/> (a no-op on GIL builds).</summary>
    public static unsafe PyCriticalSection Enter(PyBound obj)
    {
        var py = obj.Py;
        return py.B.HasCriticalSections ? new PyCriticalSection { _section = Begin(obj.Borrow()) } : default;
    }

    internal static unsafe CriticalSection.PyCriticalSection* Begin(BorrowedRef obj)
    {
        var section = (CriticalSection.PyCriticalSection*)NativeMemory.Alloc((nuint)sizeof(CriticalSection.PyCriticalSection));
        CriticalSection.PyCriticalSection_Begin(section, obj);
        return section;
    }

    internal static unsafe void End(CriticalSection.PyCriticalSection* section)
    {
        if (section is not null)
        {
            CriticalSection.PyCriticalSection_End(section);
            NativeMemory.Free(section);
        }
    }

    /// <summary>Leaves the critical section.</summary>
    public unsafe void Dispose()
    {
        var section = _section;
        _section = null;
        End(section);
    }
}
