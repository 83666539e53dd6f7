using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Json;

namespace Sidewinder.Api.Logging;

/// <summary>Serilog as the logging provider: readable console lines by default, JSON with <c>Logging:Format=json</c>.</summary>
/// <remarks>Levels are filtered by the standard <c>Logging:LogLevel</c> settings, so appsettings and environment
/// variables (<c>Logging__LogLevel__Default=Debug</c>) work as in any ASP.NET Core app.</remarks>
internal static class LoggingExtensions
{
    public const string FormatSetting = "Logging:Format";

    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration[FormatSetting] ?? "text";
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.FromLogContext();
        configuration = format.ToLowerInvariant() switch
        {
            "json" => configuration.WriteTo.Console(new JsonFormatter(renderMessage: true)),
            "text" => configuration.WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"{FormatSetting} must be 'text' or 'json' (is '{format}')."),
        };
        builder.Logging.ClearProviders();
        // AddProvider rather than AddSerilog: the latter adds a Trace-level filter for its provider that would
        // override the Logging:LogLevel settings.
        builder.Logging.AddProvider(new SerilogLoggerProvider(configuration.CreateLogger(), dispose: true));
        return builder;
    }

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) => app.UseMiddleware<RequestLoggingMiddleware>();
}
