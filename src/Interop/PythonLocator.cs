using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sidewinder.Interop;

/// <summary>Finds a shared libpython following the order documented on <see cref="PythonRuntimeOptions"/>.</summary>
public static partial class PythonLocator
{
    /// <summary>The name of the runtime used when none is requested: the system's GIL build.</summary>
    public const string DefaultRuntime = "default";

    private static readonly string[] s_standardDirectories =
    [
        "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib",
    ];

    /// <summary>The provisioned-runtime cache directory for these options.</summary>
    public static string CacheDirectory(PythonRuntimeOptions options)
    {
        if (!string.IsNullOrEmpty(options.CacheDirectory))
        {
            return options.CacheDirectory;
        }
        var env = Environment.GetEnvironmentVariable("SIDEWINDER_CACHE");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "sidewinder");
    }

    /// <summary>Resolves the installation to embed, or throws <see cref="PythonNotFoundException"/> listing what was searched.</summary>
    public static PythonInstallation Locate(PythonRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var searched = new List<string>();

        var library = options.LibraryPath ?? NullIfEmpty(Environment.GetEnvironmentVariable("SIDEWINDER_PYTHON_LIBRARY"));
        if (library is not null)
        {
            searched.Add($"explicit library '{library}'");
            if (!File.Exists(library))
            {
                throw new PythonNotFoundException(
                    $"The Python library '{library}' (from PythonRuntimeOptions.LibraryPath or SIDEWINDER_PYTHON_LIBRARY) does not exist.",
                    searched);
            }
            var name = NameFromLibrary(library) ?? "custom";
            var home = options.Home ?? HomeFromLibrary(library);
            return new PythonInstallation(name, library, home, ExecutableFor(home, name), "explicit library path");
        }

        var requested = options.Runtime ?? NullIfEmpty(Environment.GetEnvironmentVariable("SIDEWINDER_PYTHON")) ?? DefaultRuntime;
        var runtime = NormalizeName(requested);
        var cache = CacheDirectory(options);

        var found = FromManifest(cache, runtime, searched)
            ?? FromPath(runtime, searched)
            ?? FromStandardDirectories(runtime, searched);
        if (found is null)
        {
            var fix = runtime == DefaultRuntime
                ? "Install Debian's libpython3.11 (scripts/provision-python.sh gil), or set SIDEWINDER_PYTHON_LIBRARY to a shared libpython."
                : $"Provision it with 'scripts/provision-python.sh {runtime}', or set SIDEWINDER_PYTHON_LIBRARY to its shared libpython.";
            throw new PythonNotFoundException($"No Python runtime '{runtime}' was found. {fix}", searched);
        }
        return options.Home is null ? found : found with { Home = options.Home };
    }

    private static string NormalizeName(string requested)
    {
        var name = requested.Trim().ToLowerInvariant();
        if (name is "gil" or "default" or "")
        {
            return DefaultRuntime;
        }
        if (name.StartsWith("python", StringComparison.Ordinal))
        {
            name = name["python".Length..];
        }
        return RuntimeName().IsMatch(name)
            ? name
            : throw new ArgumentException(
                $"'{requested}' is not a Python runtime name. Use 'default' (the GIL build) or a version such as '3.11' or '3.13t' (t = free-threaded).");
    }

    // $cache/runtimes/<name>.env, written by scripts/provision-python.sh: key=value lines.
    private static PythonInstallation? FromManifest(string cache, string runtime, List<string> searched)
    {
        var manifest = Path.Combine(cache, "runtimes", runtime + ".env");
        searched.Add($"provisioned cache manifest {manifest}");
        if (!File.Exists(manifest))
        {
            return null;
        }
        var values = File.ReadAllLines(manifest)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.Ordinal);
        if (!values.TryGetValue("library", out var library) || !File.Exists(library))
        {
            searched.Add($"  (manifest names a library that does not exist: {library})");
            return null;
        }
        var home = values.GetValueOrDefault("home") ?? HomeFromLibrary(library);
        var name = values.GetValueOrDefault("name") ?? runtime;
        return new PythonInstallation(name, library, home, values.GetValueOrDefault("executable"), $"provisioned cache ({manifest})")
        {
            Manifest = runtime,
            Origin = values.GetValueOrDefault("source"),
        };
    }

    private static PythonInstallation? FromPath(string runtime, List<string> searched)
    {
        var command = runtime == DefaultRuntime ? "python3" : "python" + runtime;
        var executable = FindOnPath(command);
        searched.Add($"'{command}' on PATH" + (executable is null ? " (not found)" : $" ({executable})"));
        if (executable is null)
        {
            return null;
        }
        const string Probe =
            "import sys, sysconfig as s; v = s.get_config_var; " +
            "print(v('Py_ENABLE_SHARED') or 0, v('Py_GIL_DISABLED') or 0, v('LIBDIR'), v('INSTSONAME') or v('LDLIBRARY'), sys.base_prefix, sys.executable, sep='\\n')";
        var lines = RunProbe(executable, Probe);
        if (lines is not { Length: >= 6 })
        {
            searched.Add($"  ({executable} did not answer the sysconfig probe)");
            return null;
        }
        if (lines[0] != "1")
        {
            searched.Add($"  ({executable} is built without a shared libpython)");
            return null;
        }
        var freeThreaded = lines[1] == "1";
        if (runtime == DefaultRuntime && freeThreaded)
        {
            searched.Add($"  ({executable} is free-threaded; the default runtime is a GIL build)");
            return null;
        }
        var library = Path.Combine(lines[2], lines[3]);
        if (!File.Exists(library))
        {
            searched.Add($"  ({library} does not exist)");
            return null;
        }
        var name = NameFromLibrary(library) ?? runtime;
        return new PythonInstallation(name, library, lines[4], lines[5], $"{command} on PATH");
    }

    private static PythonInstallation? FromStandardDirectories(string runtime, List<string> searched)
    {
        foreach (var directory in s_standardDirectories)
        {
            searched.Add($"standard directory {directory}");
            if (!Directory.Exists(directory))
            {
                continue;
            }
            var candidates = Directory.EnumerateFiles(directory, "libpython3.*.so*")
                .Select(path => (path, name: NameFromLibrary(path)))
                .Where(c => c.name is not null && (runtime == DefaultRuntime ? !c.name.EndsWith('t') : c.name == runtime))
                .OrderByDescending(c => ParseVersion(c.name!))
                .ThenBy(c => c.path.Length) // prefer libpython3.11.so.1.0 over versioned duplicates
                .ToList();
            if (candidates.Count > 0)
            {
                var (path, name) = candidates[0];
                var home = HomeFromLibrary(path);
                return new PythonInstallation(name!, path, home, ExecutableFor(home, name!), $"standard directory {directory}");
            }
        }
        return null;
    }

    internal static string? NameFromLibrary(string path)
    {
        var match = LibraryName().Match(Path.GetFileName(path));
        return match.Success ? match.Groups[1].Value : null;
    }

    internal static string HomeFromLibrary(string library)
    {
        // <prefix>/lib/libpython*.so or <prefix>/lib/<multiarch>/libpython*.so
        var directory = Path.GetDirectoryName(Path.GetFullPath(library))!;
        var parent = Path.GetDirectoryName(directory);
        if (Path.GetFileName(directory) != "lib" && parent is not null && Path.GetFileName(parent) == "lib")
        {
            directory = parent;
        }
        return Path.GetDirectoryName(directory) ?? "/";
    }

    private static string? ExecutableFor(string home, string name)
    {
        var candidate = Path.Combine(home, "bin", "python" + name);
        return File.Exists(candidate) ? candidate : null;
    }

    private static Version ParseVersion(string name) =>
        Version.Parse(name.TrimEnd('t'));

    private static string? FindOnPath(string command)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0)
            {
                continue;
            }
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string[]? RunProbe(string executable, string code)
    {
        try
        {
            var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-I");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(code);
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [GeneratedRegex(@"^3\.\d{1,2}t?$")]
    private static partial Regex RuntimeName();

    [GeneratedRegex(@"^libpython(3\.\d{1,2}t?)\.so")]
    private static partial Regex LibraryName();
}

/// <summary>No usable libpython was found; <see cref="Searched"/> lists every place that was looked at.</summary>
public sealed class PythonNotFoundException : Exception
{
    /// <summary>Creates the exception; the message ends with the searched locations.</summary>
    public PythonNotFoundException(string message, IReadOnlyList<string> searched)
        : base(message + Environment.NewLine + "Searched:" + Environment.NewLine + string.Join(Environment.NewLine, searched.Select(s => "  - " + s)))
    {
        Searched = searched;
    }

    /// <summary>Each location or method tried, in order.</summary>
    public IReadOnlyList<string> Searched { get; }
}
