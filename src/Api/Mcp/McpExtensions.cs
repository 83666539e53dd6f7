using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Security;

namespace Sidewinder.Api.Mcp;

/// <summary>An MCP server (ModelContextProtocol.AspNetCore, streamable HTTP, stateless) whose tools run jobs on the
/// worker pool exactly as <c>POST /eval</c>, <c>/run</c> and <c>/call</c> do.</summary>
/// <remarks>Stateless mode: every MCP request is one HTTP POST, so authentication, the endpoint policy, the rate limiter,
/// the body limit, the request log line and a disconnect that cancels the job all work as for the HTTP endpoints. Tools
/// are classes registered with <c>WithTools</c>; the session tools are another such class (SessionTools), and a streaming
/// one would return progress through the SDK's <c>IProgress</c> parameter, neither reshaping these.</remarks>
internal static class McpExtensions
{
    public static WebApplicationBuilder AddMcpServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<McpOptions>().Bind(builder.Configuration.GetSection(McpOptions.SectionName));
        if (!builder.Configuration.GetSection(McpOptions.SectionName).GetValue(nameof(McpOptions.Enabled), defaultValue: true))
        {
            return builder;
        }
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<ToolJobRunner>();
        builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation
            {
                Name = "sidewinder",
                Title = "Sidewinder: run Python",
                Version = typeof(McpExtensions).Assembly.GetName().Version?.ToString() ?? "0",
            })
            .WithHttpTransport(o => o.Stateless = true)
            .AddAuthorizationFilters()
            .WithRequestFilters(filters => filters.AddCallToolFilter(ToolArgumentCheck.Filter))
            .WithTools<PythonTools>()
            .WithTools<SessionTools>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMcpEndpoint(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<McpOptions>>().Value.Enabled)
        {
            return app;
        }
        app.MapMcp(McpOptions.Path).RequireAuthorization(ApiKeyDefaults.McpPolicy).RequireClientRateLimit(app);
        return app;
    }
}
