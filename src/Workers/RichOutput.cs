using System.Text.Json;

namespace Sidewinder.Workers;

/// <summary>A rich output of a job, as Jupyter's <c>display_data</c> / <c>execute_result</c> carry it: one object in
/// several MIME types (<c>text/plain</c> always; <c>image/png</c> and <c>image/jpeg</c> as base64; <c>text/html</c>,
/// <c>image/svg+xml</c>, <c>text/markdown</c>, <c>text/latex</c> as text; <c>application/json</c> as a JSON value).</summary>
/// <param name="Type"><c>display</c> (<c>display()</c>, a matplotlib figure) or <c>execute_result</c> (a cell's final value).</param>
/// <param name="Data">MIME type to representation.</param>
/// <param name="Metadata">Per-output or per-MIME-type metadata (e.g. an image's width), often empty.</param>
public sealed record RichOutput(string Type, IReadOnlyDictionary<string, JsonElement> Data, IReadOnlyDictionary<string, JsonElement> Metadata)
{
    /// <summary>Reads the host module's JSON form of an output.</summary>
    public static RichOutput Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new RichOutput(root.GetProperty("type").GetString() ?? "display", Map(root, "data"), Map(root, "metadata"));
    }

    private static Dictionary<string, JsonElement> Map(JsonElement root, string name)
    {
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                map[property.Name] = property.Value.Clone();
            }
        }
        return map;
    }
}
