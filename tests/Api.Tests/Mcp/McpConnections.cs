using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Sidewinder.Api.Tests.Mcp;

/// <summary>Connects the MCP SDK's own client to the in-process service over streamable HTTP.</summary>
internal static class McpConnections
{
    public static Task<McpClient> ConnectAsync(ApiFactory factory, string? key = null, CancellationToken cancellationToken = default)
    {
        var http = factory.CreateClient();
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        };
        if (key is not null)
        {
            options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key };
        }
        return McpClient.CreateAsync(new HttpClientTransport(options, http, ownsHttpClient: true), cancellationToken: cancellationToken);
    }

    public static string Text(this CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
