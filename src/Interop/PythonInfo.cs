namespace Sidewinder.Interop;

/// <summary>What was embedded: version, build flavour and where it came from.</summary>
/// <param name="Version">CPython version, e.g. 3.13.5.</param>
/// <param name="VersionText">The full <c>sys.version</c> string.</param>
/// <param name="IsFreeThreaded">True for a free-threaded (<c>--disable-gil</c>, "t") build.</param>
/// <param name="Installation">The library and prefix that were loaded.</param>
/// <remarks>Whether the GIL is enabled right now is not fixed: a free-threaded build re-enables it when an
/// extension module that does not declare free-threading support is imported. Ask <see cref="PythonRuntime.IsGilEnabled"/>.</remarks>
public sealed record PythonInfo(Version Version, string VersionText, bool IsFreeThreaded, PythonInstallation Installation)
{
    /// <summary><c>gil</c> or <c>free-threaded</c>.</summary>
    public string Build => IsFreeThreaded ? "free-threaded" : "gil";

    /// <summary>The ceiling on the Python allocator's memory in bytes (<see cref="PythonRuntimeOptions.MemoryLimitMiB"/>), or
    /// null when none applies: a GIL build, a ceiling of 0, or mimalloc's own <c>MIMALLOC_*</c> variables set by the operator.</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>The exact runtime in words, e.g. <c>3.14.10 free-threaded</c> or <c>3.11.2 GIL</c>.</summary>
    public string Description => $"{Version} {(IsFreeThreaded ? "free-threaded" : "GIL")}";
}
