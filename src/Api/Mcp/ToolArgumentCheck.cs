using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Sidewinder.Api.Mcp;

/// <summary>Checks a tool call's arguments against the tool's input schema before the SDK binds them, so that a missing,
/// unknown or wrongly typed argument is a tool error naming it (the SDK's own binding failure says only "An error
/// occurred invoking 'python_eval'", which gives an agent nothing to correct).</summary>
/// <remarks>Checks what the generated schemas of <see cref="PythonTools"/> contain: <c>required</c>, <c>properties</c>
/// and each property's <c>type</c>; values inside <c>variables</c>, <c>args</c> and <c>kwargs</c> are any JSON.</remarks>
internal static class ToolArgumentCheck
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            if (context.MatchedPrimitive is McpServerTool tool
                && Check(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } invalid
                && context.Services?.GetService<ToolJobRunner>() is { } runner)
            {
                return runner.Invalid(invalid);
            }
            return await next(context, cancellationToken).ConfigureAwait(false);
        };

    /// <summary>Why the arguments do not fit the schema, or null when they do.</summary>
    internal static string? Check(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(e => e.GetString()!))
            {
                if (!arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    return $"'{name}' is required.";
                }
            }
        }
        if (!schema.TryGetProperty("properties", out var properties))
        {
            return null;
        }
        foreach (var (name, value) in arguments)
        {
            if (!properties.TryGetProperty(name, out var property))
            {
                var known = string.Join(", ", properties.EnumerateObject().Select(p => p.Name));
                return $"'{name}' is not an argument of this tool; its arguments are {known}.";
            }
            if (property.TryGetProperty("type", out var type) && !Types(type).Any(t => Fits(t, value)))
            {
                return $"'{name}' must be {string.Join(" or ", Types(type))} (is {value.ValueKind.ToString().ToLowerInvariant()}).";
            }
        }
        return null;
    }

    private static IEnumerable<string> Types(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!) : [type.GetString()!];

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };
}
