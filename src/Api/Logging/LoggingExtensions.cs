using System.Globalization;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Sidewinder.Api.Logging;

/// <summary>Serilog as the logging pipeline (Serilog.AspNetCore's <c>AddSerilog</c>): readable lines on standard output
/// by default, Serilog's compact JSON with <c>Logging:Format=json</c>, written by Serilog.Sinks.Async's background
/// thread; everything else (levels, enrichers, more sinks) from the <c>Serilog</c> configuration section.</summary>
/// <remarks>
/// <c>AddSerilog</c> replaces the .NET logger factory, so .NET's own <c>Logging:LogLevel</c> filters no longer apply by
/// themselves. They are translated into Serilog's minimum level and overrides (both match categories by prefix), so
/// appsettings and environment variables (<c>Logging__LogLevel__Default=Debug</c>) work as in any ASP.NET Core app; a
/// <c>Serilog:MinimumLevel</c> section, read afterwards, wins over them.
/// </remarks>
internal static class LoggingExtensions
{
    public const string FormatSetting = "Logging:Format";

    public const string ConsoleSetting = "Logging:WriteToConsole";

    public const string LogLevelSection = "Logging:LogLevel";

    /// <summary>Serilog's own configuration section (sinks, enrichers, properties, levels), read when present.</summary>
    public const string SerilogSection = "Serilog";

    /// <summary>Events that may wait for the console writer (Serilog.Sinks.Async's buffer); more are dropped, so a
    /// blocked standard output never blocks a request.</summary>
    public const int ConsoleBufferSize = 10_000;

    private const string TextTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var format = configuration[FormatSetting] ?? "text";
        ITextFormatter formatter = format.ToLowerInvariant() switch
        {
            "json" => new CompactJsonFormatter(),
            "text" => new MessageTemplateTextFormatter(TextTemplate, CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"{FormatSetting} must be 'text' or 'json' (is '{format}')."),
        };
        var console = configuration.GetValue(ConsoleSetting, defaultValue: true);
        builder.Services.AddSerilog((services, logger) =>
        {
            ApplyLogLevels(logger, configuration.GetSection(LogLevelSection));
            // Serilog.Settings.Configuration loads the application's dependency manifest and scans its assemblies
            // (~50 ms of start-up here) even when there is nothing to read; everything it reads is under "Serilog".
            if (configuration.GetSection(SerilogSection).Exists())
            {
                logger.ReadFrom.Configuration(configuration);
            }
            logger.ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (console)
            {
                // Measured against flushing per batch through a sink of our own: no difference beyond the noise
                // (docs/performance.md, "Logging on the standard packages"), so the standard console sink it is.
                logger.WriteTo.Async(to => to.Console(formatter), bufferSize: ConsoleBufferSize, blockWhenFull: false);
            }
        }, preserveStaticLogger: true); // the logger belongs to this host (tests run several), not to the static Log.Logger
        return builder;
    }

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) => app.UseMiddleware<RequestLoggingMiddleware>();

    /// <summary><c>Logging:LogLevel:Default</c> becomes the minimum level, every other key an override for that category
    /// prefix; <c>None</c> silences a category.</summary>
    internal static void ApplyLogLevels(LoggerConfiguration logger, IConfiguration levels)
    {
        logger.MinimumLevel.Is(Parse(levels["Default"], "Default") ?? LogEventLevel.Information);
        foreach (var entry in levels.GetChildren())
        {
            if (entry.Key != "Default" && Parse(entry.Value, entry.Key) is { } level)
            {
                logger.MinimumLevel.Override(entry.Key, level);
            }
        }
    }

    private static LogEventLevel? Parse(string? value, string category)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level)
            ? level switch
            {
                LogLevel.Trace => LogEventLevel.Verbose,
                LogLevel.Debug => LogEventLevel.Debug,
                LogLevel.Information => LogEventLevel.Information,
                LogLevel.Warning => LogEventLevel.Warning,
                LogLevel.Error => LogEventLevel.Error,
                LogLevel.Critical => LogEventLevel.Fatal,
                // Above Fatal: Serilog compares levels as numbers, so nothing passes.
                _ => LogEventLevel.Fatal + 1,
            }
            : throw new InvalidOperationException(
                $"{LogLevelSection}:{category} must be Trace, Debug, Information, Warning, Error, Critical or None (is '{value}').");
    }
}
