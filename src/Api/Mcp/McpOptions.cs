namespace Sidewinder.Api.Mcp;

/// <summary>The MCP server at <c>/mcp</c> (configuration section <c>Mcp</c>).</summary>
/// <remarks>On by default: the service only serves at all where it is safe to run code (API keys configured, or loopback
/// clients only), and the MCP endpoint has exactly the HTTP endpoints' access rules, limits and queue.</remarks>
public sealed class McpOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Mcp";

    /// <summary>Path of the MCP endpoint (streamable HTTP).</summary>
    public const string Path = "/mcp";

    /// <summary>Serve the MCP tools <c>python_eval</c>, <c>python_run</c> and <c>python_call</c> at <see cref="Path"/>.
    /// Default: true.</summary>
    public bool Enabled { get; set; } = true;
}
