using System.Text.RegularExpressions;

namespace Sidewinder.Tests;

/// <summary>
/// The runtime the suite was asked to run on (<c>SIDEWINDER_PYTHON</c>, as ./test.sh sets it), so version-specific tests
/// can say what they expect of each: <c>3.14t</c> means CPython 3.14, free-threaded. Linked into every test project.
/// </summary>
internal static partial class RequestedRuntime
{
    /// <summary>The name as given; <c>default</c> when unset.</summary>
    public static string Name { get; } = Environment.GetEnvironmentVariable("SIDEWINDER_PYTHON") is { Length: > 0 } name ? name : "default";

    /// <summary>The minor version a versioned name asks for (14 for <c>3.14t</c>); null for <c>default</c>.</summary>
    public static int? Minor => Versioned().Match(Name) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>True for a <c>t</c> name, false for another versioned name or <c>default</c> (a GIL build).</summary>
    public static bool FreeThreaded => Versioned().Match(Name) is { Success: true } m && m.Groups[2].Value == "t";

    [GeneratedRegex(@"^3\.(\d+)(t?)$")]
    private static partial Regex Versioned();
}
