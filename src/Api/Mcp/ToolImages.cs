using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Sidewinder.Api.Execution;

namespace Sidewinder.Api.Mcp;

/// <summary>Displayed images (matplotlib figures, <c>display()</c> of PNG/JPEG data) as MCP image content, so that a
/// client shows them and a model can look at them instead of reading base64.</summary>
internal static class ToolImages
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg"];

    public static List<ContentBlock> Of(IReadOnlyList<OutputItem> outputs)
    {
        var images = new List<ContentBlock>();
        foreach (var output in outputs)
        {
            foreach (var mime in ImageTypes)
            {
                if (output.Data.TryGetValue(mime, out var data) && data.ValueKind == JsonValueKind.String
                    && TryDecode(data.GetString()!, out var bytes))
                {
                    images.Add(ImageContentBlock.FromBytes(bytes, mime));
                    break; // one image per output: PNG when it has both
                }
            }
        }
        return images;
    }

    /// <summary>The response's JSON with each image's base64 replaced by a pointer to its image block: the text stays
    /// readable, and the structured content still has the data.</summary>
    public static string WithoutImageData(JsonElement body)
    {
        var node = JsonNode.Parse(body.GetRawText())!;
        var index = 0;
        foreach (var output in node["outputs"]?.AsArray() ?? [])
        {
            if (output?["data"] is not JsonObject data)
            {
                continue;
            }
            foreach (var mime in ImageTypes)
            {
                if (data[mime] is JsonValue value && value.TryGetValue<string>(out var base64))
                {
                    data[mime] = $"({base64.Length * 3 / 4} bytes: image content {++index} of this result)";
                    break;
                }
            }
        }
        return node.ToJsonString();
    }

    private static bool TryDecode(string base64, out byte[] bytes)
    {
        bytes = new byte[base64.Length * 3 / 4 + 3];
        if (Convert.TryFromBase64String(base64, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }
        return false;
    }
}
