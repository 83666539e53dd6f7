using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Sidewinder.Api.Tests.Mcp;

[Collection(ApiTests.Name)]
public sealed class McpImageTests(DefaultApi api)
{
    [Fact]
    public async Task PythonRun_DisplayedImages_ComeBackAsImageContent()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);
        var png = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 };

        var result = await client.CallToolAsync("python_run", new Dictionary<string, object?>
        {
            ["code"] = "display({'image/png': bytes(png), 'text/plain': 'a picture'}, raw=True)\n" +
                "display({'image/jpeg': b'\\xff\\xd8'}, raw=True)\ndisplay({'text/html': '<p>no image</p>'}, raw=True)",
            ["variables"] = new { png = png.Select(b => (int)b).ToArray() },
        });

        Assert.NotEqual(true, result.IsError);
        var images = result.Content.OfType<ImageContentBlock>().ToList();
        Assert.Equal(["image/png", "image/jpeg"], images.Select(i => i.MimeType));
        Assert.Equal(png, images[0].DecodedData.ToArray());
        Assert.Equal(new byte[] { 0xff, 0xd8 }, images[1].DecodedData.ToArray());
        // The text is the response's JSON with pointers instead of base64; the structured content keeps the data.
        var text = JsonDocument.Parse(result.Text()).RootElement;
        Assert.Contains("image content 1", text.GetProperty("outputs")[0].GetProperty("data").Str("image/png"), StringComparison.Ordinal);
        Assert.Equal(Convert.ToBase64String(png), result.StructuredContent!.Value.GetProperty("outputs")[0].GetProperty("data").Str("image/png"));
    }

    [Fact]
    public async Task PythonRun_FailsAfterDisplayingAnImage_ToolErrorStillCarriesTheImage()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_run", new Dictionary<string, object?>
        {
            ["code"] = "display({'image/png': b'\\x89PNG'}, raw=True)\nraise ValueError('after the picture')",
        });

        Assert.True(result.IsError);
        Assert.Contains("after the picture", result.Text(), StringComparison.Ordinal);
        Assert.Equal("image/png", Assert.Single(result.Content.OfType<ImageContentBlock>()).MimeType);
    }
}
