using System.Globalization;
using System.Text.RegularExpressions;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Caps the memory the Python allocator of a free-threaded build may take from the operating system.</summary>
/// <remarks>
/// A free-threaded build allocates every Python object through the mimalloc copy inside libpython. mimalloc maps its
/// memory with <c>MAP_NORESERVE</c>, which the kernel's overcommit check does not refuse, so <c>'x' * 10**13</c> is not a
/// <c>MemoryError</c> there: the process grows until the OOM killer ends it (a GIL build's <c>malloc</c> of the same size
/// fails at once). mimalloc reads its settings from the environment when libpython is loaded: here, reserve one arena of
/// the ceiling's size (address space only; pages are backed when touched), reserve no further arenas when it is full
/// (by default mimalloc adds 1 GiB arenas as needed, which would make the first setting no ceiling at all), and never map
/// object memory outside arenas. An allocation past the ceiling then returns NULL and Python raises <c>MemoryError</c>;
/// the process stays up. libpython
/// exports none of mimalloc's functions, so the environment before <c>dlopen</c> is the only way in, and the variables are
/// inherited by child processes (a free-threaded child gets the same ceiling).
/// </remarks>
internal static partial class MemoryCeiling
{
    private const string ReserveVariable = "MIMALLOC_RESERVE_OS_MEMORY";
    private const string LimitVariable = "MIMALLOC_LIMIT_OS_ALLOC";
    private const string ArenaVariable = "MIMALLOC_ARENA_RESERVE";
    private const string MarkerVariable = "SIDEWINDER_MEMORY_CEILING_MIB";

    /// <summary>Sets the ceiling for <paramref name="installation"/> before its library is loaded; returns the ceiling in
    /// bytes, or null when none applies (a GIL build, <see cref="PythonRuntimeOptions.MemoryLimitMiB"/> = 0, or the
    /// mimalloc variables set by the operator, which are left as they are).</summary>
    public static long? Apply(PythonRuntimeOptions options, PythonInstallation installation)
    {
        if (options.MemoryLimitMiB is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MemoryLimitMiB,
                "Python:MemoryLimitMiB must be 0 (no ceiling), a positive number of MiB, or unset (three quarters of the memory available to the process).");
        }
        // A process started by a Sidewinder process (a test starting the service, a job starting another embedding
        // process) inherits the variables this class set: the marker tells them from an operator's own.
        var inherited = Environment.GetEnvironmentVariable(MarkerVariable) is not null;
        if (!IsFreeThreadedLibrary(installation.LibraryPath) || options.MemoryLimitMiB == 0 ||
            (!inherited && new[] { ReserveVariable, LimitVariable, ArenaVariable }.Any(v => Environment.GetEnvironmentVariable(v) is not null)))
        {
            return null;
        }
        var mebibytes = options.MemoryLimitMiB ?? DefaultMiB();
        PythonLibrary.SetProcessEnvironment(ReserveVariable, mebibytes.ToString(CultureInfo.InvariantCulture) + "MiB");
        PythonLibrary.SetProcessEnvironment(LimitVariable, "1");
        PythonLibrary.SetProcessEnvironment(ArenaVariable, "0");
        PythonLibrary.SetProcessEnvironment(MarkerVariable, mebibytes.ToString(CultureInfo.InvariantCulture));
        return mebibytes * 1024 * 1024;
    }

    /// <summary>Three quarters of what the process may use: physical memory, or the container's (cgroup) limit when lower,
    /// as the .NET GC sees it. The rest is left to .NET, native libraries and the kernel's page cache.</summary>
    public static long DefaultMiB() => Math.Max(64, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 * 3 / 4);

    /// <summary>True for <c>libpython3.13t.so</c> and friends: the ABI flag <c>t</c> marks a free-threaded build.</summary>
    internal static bool IsFreeThreadedLibrary(string libraryPath) => FreeThreadedName().IsMatch(Path.GetFileName(libraryPath));

    [GeneratedRegex(@"^libpython3\.\d+[a-z]*t[a-z]*\.so", RegexOptions.CultureInvariant)]
    private static partial Regex FreeThreadedName();
}
