namespace Sidewinder.Interop;

/// <summary>How to find and start the embedded Python runtime.</summary>
/// <remarks>
/// Resolution order (first match wins):
/// <list type="number">
/// <item><see cref="LibraryPath"/>, or the <c>SIDEWINDER_PYTHON_LIBRARY</c> environment variable: an explicit libpython.</item>
/// <item><see cref="Runtime"/>, or <c>SIDEWINDER_PYTHON</c>: a runtime name (<c>default</c>, <c>3.11</c>, <c>3.13t</c>, ...),
/// looked up in the provisioned cache, then as <c>python{name}</c> on PATH, then in the standard library directories.</item>
/// <item>Neither set: the <c>default</c> runtime, i.e. the GIL build recorded by <c>scripts/provision-python.sh gil</c>,
/// then <c>python3</c> on PATH (via its sysconfig), then the newest <c>libpython3.X.so</c> in the standard library directories.</item>
/// </list>
/// The provisioned cache is <c>$SIDEWINDER_CACHE</c>, else <c>$XDG_CACHE_HOME/sidewinder</c>, else <c>~/.cache/sidewinder</c>.
/// </remarks>
public sealed class PythonRuntimeOptions
{
    /// <summary>Runtime name such as <c>3.13t</c>; null means <c>SIDEWINDER_PYTHON</c> or else <c>default</c>.</summary>
    public string? Runtime { get; set; }

    /// <summary>Explicit path to a shared libpython; overrides <see cref="Runtime"/>. Default: null.</summary>
    public string? LibraryPath { get; set; }

    /// <summary>Explicit <c>sys.prefix</c>; by default derived from the library's location.</summary>
    public string? Home { get; set; }

    /// <summary>Directory holding the provisioned runtimes; null means the default cache described above.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Ceiling, in MiB, on the memory a free-threaded build's Python allocator may take from the system; an
    /// allocation past it raises <c>MemoryError</c> instead of growing the process until the kernel's OOM killer ends it.
    /// Null (the default): three quarters of the memory available to the process (physical memory, or the container's
    /// limit when lower). 0: no ceiling. GIL builds ignore it: their allocator is <c>malloc</c>, which refuses an allocation
    /// larger than memory and swap by itself. See <see cref="PythonInfo.MemoryLimitBytes"/> for the value in force.</summary>
    public long? MemoryLimitMiB { get; set; }

    /// <summary>How long <see cref="PythonRuntime.Dispose"/> waits for in-flight work and <c>Py_FinalizeEx</c>. Default: 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
