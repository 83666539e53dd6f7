namespace Sidewinder.Interop;

/// <summary>What was embedded: version, build flavour and where it came from.</summary>
/// <param name="Version">CPython version, e.g. 3.13.5.</param>
/// <param name="VersionText">The full <c>sys.version</c> string.</param>
/// <param name="IsFreeThreaded">True for a free-threaded (<c>--disable-gil</c>, "t") build.</param>
/// <param name="Installation">The library and prefix that were loaded.</param>
/// <remarks>Whether the GIL is enabled right now is not fixed: a free-threaded build re-enables it when an
/// extension module that does not declare free-threading support is imported. Ask <see cref="PythonRuntime.IsGilEnabled"/>.</remarks>
public sealed record PythonInfo(Version Version, string VersionText, bool IsFreeThreaded, PythonInstallation Installation);
