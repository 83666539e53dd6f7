using System.Runtime.InteropServices;

namespace Sidewinder.Api.Security;

/// <summary>Removes the service's own secrets from the process environment once configuration has read them, before
/// Python starts, so that job code finds them neither in <c>os.environ</c> nor in <c>/proc/self/environ</c>.</summary>
/// <remarks>
/// .NET keeps its own copy of the environment, so <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// alone would leave the C environment (which CPython copies into <c>os.environ</c> at start-up) untouched: the C
/// variable is removed with <c>unsetenv</c> too. <c>/proc/self/environ</c> shows the memory the kernel filled at exec,
/// which <c>unsetenv</c> does not change, so the value's bytes there are overwritten first (<c>getenv</c> points into
/// that memory for variables the process started with). Code that reads the process's memory can still find copies
/// (configuration holds the keys); that is what the trust model in docs/api.md says.
/// </remarks>
internal static partial class SecretEnvironment
{
    /// <summary>Prefixes (case-insensitive, as .NET configuration reads them) of variables that hold secrets.</summary>
    public static readonly string[] DefaultPrefixes = ["Auth__", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS"];

    /// <summary>Scrubs every variable whose name starts with one of <paramref name="prefixes"/>; returns their names.</summary>
    public static IReadOnlyList<string> Scrub(IEnumerable<string> prefixes)
    {
        var names = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => prefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        foreach (var name in names)
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                Overwrite(name);
                _ = unsetenv(name);
            }
            Environment.SetEnvironmentVariable(name, null);
        }
        return names;
    }

    private static unsafe void Overwrite(string name)
    {
        var value = getenv(name);
        if (value == null)
        {
            return;
        }
        for (var p = value; *p != 0; p++)
        {
            *p = (byte)'*';
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial byte* getenv(string name);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unsetenv(string name);
}
