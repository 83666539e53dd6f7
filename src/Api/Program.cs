using Sidewinder.Api.Execution;
using Sidewinder.Api.Hosting;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Logging;
using Sidewinder.Api.Mcp;
using Sidewinder.Api.OpenApi;
using Sidewinder.Api.Security;
using Sidewinder.Api.Sessions;
using Sidewinder.Api.Status;
using Sidewinder.Api.Streaming;
using Sidewinder.Api.Telemetry;

// Content root = the application folder, so appsettings.json and the bundled scripts are found from any working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.ScrubSecretsFromEnvironment();
builder.UseDefaultAddress();
builder.AddStructuredLogging();
builder.AddOpenTelemetryExport();
builder.AddPythonWorkers();
builder.AddSessions();
builder.AddApiKeyAuthentication();
builder.AddRequestLimits();
builder.AddProblemResponses();
builder.AddSwaggerDocs();
builder.AddEventStreams();
builder.AddMcpServer();

var app = builder.Build();

app.UseRequestLogging();
app.UseProblemResponses();
app.UseRequestBodyLimit();
app.UseAuthentication();
app.UseAuthorization();
app.UseClientRateLimit();
app.UseSwaggerDocs();

app.MapStatusEndpoints();
app.MapExecutionEndpoints();
app.MapSessionEndpoints();
app.MapPlayground();
app.MapMetricsEndpoint();
app.MapMcpEndpoint();
app.LogStartup();

try
{
    app.Run();
    return 0;
}
#pragma warning disable CA1031 // the host has logged why it failed (e.g. could not start); exit 1 rather than abort with a core dump
catch (Exception)
#pragma warning restore CA1031
{
    return 1;
}

/// <summary>The entry point; public so that integration tests can host it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
