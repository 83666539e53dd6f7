using System.Globalization;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace Sidewinder.Api.Logging;

/// <summary>Serilog as the logging provider: readable lines on standard output by default, JSON with
/// <c>Logging:Format=json</c>, written by a background thread (<see cref="BufferedConsoleSink"/>).</summary>
/// <remarks>Levels are filtered by the standard <c>Logging:LogLevel</c> settings, so appsettings and environment
/// variables (<c>Logging__LogLevel__Default=Debug</c>) work as in any ASP.NET Core app.</remarks>
internal static class LoggingExtensions
{
    public const string FormatSetting = "Logging:Format";

    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration[FormatSetting] ?? "text";
        ITextFormatter formatter = format.ToLowerInvariant() switch
        {
            "json" => new JsonFormatter(renderMessage: true),
            "text" => new MessageTemplateTextFormatter(
                "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}", CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"{FormatSetting} must be 'text' or 'json' (is '{format}')."),
        };
        // Formatting and writing happen on the sink's own thread, in batches: a request only queues its log events.
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.FromLogContext()
            .WriteTo.Sink(new BufferedConsoleSink(formatter, BufferedConsoleSink.StandardOutput()));
        builder.Logging.ClearProviders();
        // AddProvider rather than AddSerilog: the latter adds a Trace-level filter for its provider that would
        // override the Logging:LogLevel settings.
        builder.Logging.AddProvider(new SerilogLoggerProvider(configuration.CreateLogger(), dispose: true));
        return builder;
    }

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) => app.UseMiddleware<RequestLoggingMiddleware>();
}
