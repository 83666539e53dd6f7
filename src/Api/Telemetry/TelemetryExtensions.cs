using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sidewinder.Workers;

namespace Sidewinder.Api.Telemetry;

/// <summary>OpenTelemetry traces and metrics over OTLP, on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
/// <remarks>Endpoint, protocol (<c>grpc</c>, the default, or <c>http/protobuf</c>) and service name are read from
/// configuration; the exporter reads the other standard <c>OTEL_*</c> environment variables (headers, timeouts) itself. ASP.NET Core's hosting layer starts a request activity from a W3C <c>traceparent</c>
/// header, and the worker pool's <c>python.queue</c> / <c>python.execute</c> spans are its children.</remarks>
internal static class TelemetryExtensions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

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
        var protocol = builder.Configuration[ProtocolVariable] ?? "grpc";
        if (protocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"{ProtocolVariable} must be 'grpc' or 'http/protobuf' (is '{protocol}').");
        }
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? "sidewinder";
        var version = typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString();
        var tracer = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddSource(ActivitySources)
            .AddOtlpExporter(o => Configure(o, endpoint, protocol, "/v1/traces"))
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddMeter(Meters)
            .AddOtlpExporter(o => Configure(o, endpoint, protocol, "/v1/metrics"))
            .Build();
        // Registered before the worker pool's lifetime service, so it stops after the pool has drained: the spans and
        // measurements of the last jobs are flushed too.
        builder.Services.AddHostedService(_ => new TelemetryFlush(tracer, meter));
        builder.Services.AddSingleton(new TelemetryStatus(endpoint));
        return builder;
    }

    /// <summary>Endpoint and protocol come from configuration (environment variables or appsettings), so both work
    /// the same; as the OTLP specification says, http/protobuf appends the signal's path to the base endpoint.</summary>
    private static void Configure(OtlpExporterOptions options, string endpoint, string protocol, string signalPath)
    {
        options.Protocol = protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        options.Endpoint = new Uri(protocol == "http/protobuf" ? endpoint.TrimEnd('/') + signalPath : endpoint);
    }
}

/// <summary>Present in DI when export is on; reported at start-up.</summary>
/// <param name="Endpoint">The OTLP endpoint.</param>
internal sealed record TelemetryStatus(string Endpoint);

/// <summary>Flushes and shuts down the exporters when the host stops.</summary>
internal sealed class TelemetryFlush(TracerProvider tracer, MeterProvider meter) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracer.Shutdown();
        meter.Shutdown();
        return Task.CompletedTask;
    }
}
