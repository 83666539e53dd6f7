using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Sidewinder.Api.Logging;
using Sidewinder.Api.Security;
using Sidewinder.Api.Telemetry;
using Sidewinder.Interop;
using Sidewinder.Workers;

namespace Sidewinder.Api.Hosting;

/// <summary>One start-up line that says where the service listens, on which Python, and how clients authenticate.</summary>
internal static class StartupLogExtensions
{
    public static WebApplication LogStartup(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var services = app.Services;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Sidewinder.Api");
            if (!logger.IsEnabled(LogLevel.Information))
            {
                return;
            }
            var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var runtime = services.GetRequiredService<PythonRuntime>();
            var keys = services.GetRequiredService<ApiKeyStore>();
            var listening = addresses.Count == 0 ? "(in-process)" : string.Join(", ", addresses);
            var python = $"Python {runtime.Info.Version} {(runtime.Info.IsFreeThreaded ? "free-threaded" : "GIL")} ({runtime.Info.Installation.Name})";
            var auth = keys.IsEnabled ? $"required ({keys.Count} configured)" : keys.AllowAnonymousNonLoopback ? "off" : "off (loopback only)";
            var workers = services.GetRequiredService<WorkerPool>().Status.Workers;
            ApiLog.Listening(logger, listening, python, workers, auth);
            if (services.GetService<TelemetryStatus>() is { } telemetry)
            {
                ApiLog.TelemetryEnabled(logger, telemetry.Endpoint);
            }
        });
        return app;
    }
}
