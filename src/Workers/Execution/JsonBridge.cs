using System.Text.Json;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>JSON in and out of Python for jobs: the one place that decides how values convert.</summary>
/// <remarks>Uses the Interop converters (mapping in <c>docs/json-mapping.md</c>): unsupported types become
/// <c>{"$type", "$repr"}</c> objects and NaN/Infinity become strings, so only cycles, excessive depth and size fail.</remarks>
internal sealed class JsonBridge(int maxResultBytes)
{
    private readonly JsonConversionOptions _options = new() { MaxOutputBytes = maxResultBytes };

    /// <summary>A Python value for a JSON value.</summary>
    /// <exception cref="JobConversionException">The input is nested too deeply.</exception>
    public PyBound FromJson(Python py, JsonElement element)
    {
        try
        {
            return py.FromJson(element, _options);
        }
        catch (PythonJsonException ex)
        {
            throw new InvalidJobException("An input value cannot be converted to Python: " + ex.Message); // the request is at fault: 400, like bad JSON
        }
    }

    /// <summary>The value as UTF-8 JSON, at most the configured number of bytes.</summary>
    /// <exception cref="JobConversionException">A cycle, too deep, or too large.</exception>
    public byte[] ToJson(PyBound value)
    {
        try
        {
            return value.ToJsonUtf8(_options);
        }
        catch (PythonJsonException ex)
        {
            throw new JobConversionException($"The {value.TypeName} value cannot be converted to JSON: {Why(ex)}");
        }
    }

    /// <summary>The reason in the service's terms: the setting to change rather than the converter's option names.</summary>
    private string Why(PythonJsonException ex) => ex.Kind switch
    {
        PythonJsonErrorKind.TooLarge when ex.Message.Contains("MaxOutputBytes", StringComparison.Ordinal) =>
            $"its JSON would be larger than Workers:MaxResultBytes ({_options.MaxOutputBytes} bytes). Return less, or write it " +
            "to a file (a session's SESSION_DIR) and download that.",
        PythonJsonErrorKind.TooDeep => $"it nests deeper than {_options.MaxDepth} levels (at {Shorten(ex.Path)}).",
        PythonJsonErrorKind.Cycle => "it contains itself. " + ex.Message,
        _ => ex.Message,
    };

    private static string Shorten(string? path) => path is { Length: > 80 } ? path[..80] + "…" : path ?? "$";
}

/// <summary>A value could not be converted between JSON and Python.</summary>
internal sealed class JobConversionException(string message) : Exception(message);
