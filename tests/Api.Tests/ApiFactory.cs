using Microsoft.AspNetCore.Builder;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;
using Sidewinder.Interop;
using System.Globalization;

namespace Sidewinder.Api.Tests;

/// <summary>Hosts the real <c>Program</c> in memory with extra settings. Every factory shares one interpreter
/// (CPython initialises once per process); each gets its own worker pool.</summary>
public sealed class ApiFactory(IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    private static readonly Lazy<PythonRuntime> SharedRuntime = new(() => PythonRuntime.Start());

    /// <summary>The interpreter chosen by <c>SIDEWINDER_PYTHON</c>, started on first use.</summary>
    public static PythonRuntime Runtime => SharedRuntime.Value;

    /// <summary>A scripts directory with the test scripts (see <see cref="TestScripts"/>).</summary>
    public static string ScriptsDirectory { get; } = TestScripts.Create();

    public CapturedLogs Logs { get; } = new();

    /// <summary>Expects start-up to fail; returns the exception and everything logged, which together say why.</summary>
    /// <remarks>The host logs the cause before it throws; what is thrown can be a follow-on error of the aborted start
    /// (seen: ObjectDisposedException), so tests look at both.</remarks>
    public string StartFailure()
    {
        try
        {
            CreateClient();
        }
#pragma warning disable CA1031 // any failure is what the caller asked for
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex + Environment.NewLine + string.Join(Environment.NewLine, Logs.Entries.Select(e => e.Message));
        }
        throw new Xunit.Sdk.XunitException("The service started, but it should have refused to.");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Workers:ScriptsDirectory", ScriptsDirectory);
        builder.UseSetting("Workers:WorkerCount", "4");
        builder.UseSetting("Workers:InterruptGracePeriod", "00:00:00.200");
        builder.UseSetting("Workers:ShutdownGracePeriod", "00:00:01");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        // Only the in-memory capture: the service's console log would bury the test output. Levels stay the service's
        // own (appsettings.json, or a test's Logging:LogLevel settings).
        builder.UseSetting("Logging:WriteToConsole", "false");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ILogEventSink>(Logs); // Serilog's ReadFrom.Services picks it up
            // Registered as an instance, so disposing a factory's host never finalises the shared interpreter.
            services.AddSingleton(Runtime);
            services.AddSingleton<IStartupFilter, RemoteAddressFilter>();
        });
    }

    /// <summary>Lets a test pretend to be a remote client: <c>X-Test-Remote-Address: 10.0.0.5</c> sets the connection's address.</summary>
    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue("X-Test-Remote-Address", out var address))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Keeps every log event in memory, with its structured properties (a Serilog sink, as the service logs
/// through Serilog).</summary>
public sealed class CapturedLogs : ILogEventSink
{
    private static readonly MessageTemplateTextFormatter Text = new("{Message:lj}{NewLine}{Exception}", CultureInfo.InvariantCulture);

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        Text.Format(logEvent, message);
        var properties = logEvent.Properties.ToDictionary(p => p.Key, p => p.Value is ScalarValue scalar ? scalar.Value : (object?)p.Value.ToString());
        var category = logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string s } ? s : "";
        var eventName = logEvent.Properties.TryGetValue("EventId", out var id) && id is StructureValue structure
            ? structure.Properties.FirstOrDefault(p => p.Name == "Name")?.Value is ScalarValue { Value: string name } ? name : null
            : null;
        Entries.Enqueue(new LogEntry(category, Level(logEvent.Level), eventName, message.ToString().TrimEnd(), properties));
    }

    private static LogLevel Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => LogLevel.Trace,
        LogEventLevel.Debug => LogLevel.Debug,
        LogEventLevel.Information => LogLevel.Information,
        LogEventLevel.Warning => LogLevel.Warning,
        LogEventLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };
}

public sealed record LogEntry(string Category, LogLevel Level, string? EventName, string Message, IReadOnlyDictionary<string, object?> Properties);

/// <summary>The default service: anonymous on loopback, default limits, the test scripts.</summary>
public sealed class DefaultApi : IDisposable
{
    public ApiFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}

/// <summary>All API tests share one collection: they share one interpreter, and deadline tests should not compete
/// with other tests for the two cores.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTests : ICollectionFixture<DefaultApi>
{
    public const string Name = "api";
}
