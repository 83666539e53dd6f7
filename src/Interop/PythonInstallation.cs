namespace Sidewinder.Interop;

/// <summary>A Python installation Sidewinder can embed: where its shared library and prefix are.</summary>
/// <param name="Name">The runtime name it was found under, e.g. <c>3.11</c> or <c>3.13t</c>.</param>
/// <param name="LibraryPath">Full path of the shared libpython.</param>
/// <param name="Home">The installation prefix (<c>sys.prefix</c>), holding <c>lib/pythonX.Y</c>.</param>
/// <param name="Executable">The matching interpreter binary, reported as <c>sys.executable</c>; null if unknown.</param>
/// <param name="Source">How it was found (explicit option, provisioned cache, PATH, standard directory).</param>
public sealed record PythonInstallation(string Name, string LibraryPath, string Home, string? Executable, string Source)
{
    /// <summary>The provisioned-cache manifest it came from, by its name (<c>default</c> for <c>runtimes/default.env</c>);
    /// null when it was not found through a manifest.</summary>
    public string? Manifest { get; init; }

    /// <summary>Where the build came from, as the manifest records it (e.g. <c>Debian sid python3.14 3.14.10</c>); null if unknown.</summary>
    public string? Origin { get; init; }
}
