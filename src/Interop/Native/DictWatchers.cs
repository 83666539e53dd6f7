using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/cpython/dictobject.h: dictionary watchers (3.12+).
internal static unsafe partial class DictWatchers
{
    /// <summary>PyDict_WatchEvent: PyDict_EVENT_ADDED.</summary>
    public const int EventAdded = 0;

    /// <summary>PyDict_WatchEvent: PyDict_EVENT_DEALLOCATED.</summary>
    public const int EventDeallocated = 5;

    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_AddWatcher(delegate* unmanaged<int, nint, nint, nint, int> callback);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_Watch(int watcherId, BorrowedRef dict);
    [LibraryImport(PythonLibrary.Name)] public static partial int PyDict_Unwatch(int watcherId, BorrowedRef dict);
}
