using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sidewinder.Workers;

namespace Sidewinder.Api.Telemetry;

/// <summary>OpenTelemetry traces and metrics over OTLP, on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
/// <remarks>The exporter reads the standard <c>OTEL_*</c> environment variables itself (endpoint, protocol, headers,
/// <c>OTEL_SERVICE_NAME</c>). ASP.NET Core's hosting layer starts a request activity from a W3C <c>traceparent</c>
/// header, and the worker pool's <c>python.queue</c> / <c>python.execute</c> spans are its children.</remarks>
internal static class TelemetryExtensions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Activity sources exported as traces.</summary>
    public static readonly string[] ActivitySources = ["Microsoft.AspNetCore", WorkerPool.ActivitySourceName];

    /// <summary>Meters exported as metrics: ASP.NET Core's built-in ones and the worker pool's.</summary>
    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        WorkerPool.MeterName,
    ];

    public static WebApplicationBuilder AddOpenTelemetryExport(this WebApplicationBuilder builder)
    {
        var endpoint = builder.Configuration[EndpointVariable];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return builder;
        }
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? "sidewinder";
        var version = typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString();
        var tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddSource(ActivitySources)
            .AddOtlpExporter()
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddMeter(Meters)
            .AddOtlpExporter()
            .Build();
        // Registered as singletons so the container disposes (and flushes) them at shutdown.
        builder.Services.AddSingleton(tracer);
        builder.Services.AddSingleton(meter);
        builder.Services.AddSingleton(new TelemetryStatus(endpoint));
        return builder;
    }
}

/// <summary>Present in DI when export is on; reported at start-up.</summary>
/// <param name="Endpoint">The OTLP endpoint.</param>
internal sealed record TelemetryStatus(string Endpoint);
