using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sidewinder.Api.Hosting;
using Sidewinder.Api.Security;
using Sidewinder.Workers;

namespace Sidewinder.Api.Telemetry;

/// <summary>OpenTelemetry through its hosting package: traces and metrics over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set, and a Prometheus scrape endpoint when <c>Telemetry:PrometheusEnabled</c> is true; nothing at all otherwise.</summary>
/// <remarks>The OTLP exporter (<c>UseOtlpExporter</c>) reads the standard <c>OTEL_*</c> settings itself (endpoint,
/// protocol, headers, timeouts), from environment variables or any other configuration source; with
/// <c>http/protobuf</c> it appends <c>/v1/traces</c> and <c>/v1/metrics</c> to the base endpoint. ASP.NET Core's
/// instrumentation starts a request span from a W3C <c>traceparent</c> header, and the worker pool's
/// <c>python.queue</c> / <c>python.execute</c> spans are its children. The providers belong to the host's service
/// provider, which disposes (and so flushes) them after every hosted service stopped, the worker pool's drain included.</remarks>
internal static class TelemetryExtensions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>Meters beyond those the ASP.NET Core and runtime instrumentation add (hosting, Kestrel, routing,
    /// diagnostics, rate limiting, connections; <c>System.Runtime</c>).</summary>
    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        WorkerPool.MeterName,
    ];

    public static WebApplicationBuilder AddOpenTelemetryExport(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.BindValidated<TelemetryOptions>(TelemetryOptions.SectionName, static o => o.Validate());
        var prometheus = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.PrometheusEnabled == true;
        var endpoint = configuration[EndpointVariable];
        var otlp = !string.IsNullOrWhiteSpace(endpoint);
        if (!otlp && !prometheus)
        {
            return builder; // no listener at all: requests create no activities and record no measurements
        }
        var protocol = configuration[ProtocolVariable] ?? "grpc";
        if (protocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"{ProtocolVariable} must be 'grpc' or 'http/protobuf' (is '{protocol}').");
        }
        var serviceName = configuration["OTEL_SERVICE_NAME"] ?? "sidewinder";
        var version = typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddMeter(Meters);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddSource(WorkerPool.ActivitySourceName))
                .UseOtlpExporter();
            builder.Services.AddSingleton(new TelemetryStatus(endpoint!));
        }
        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint when it is on, behind the same access policy as <c>/info</c>
    /// (an API key allowed <c>metrics</c> when keys are configured, else loopback callers).</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value;
        if (options.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint(options.PrometheusPath)
                .WithName(TelemetryOptions.EndpointName)
                .RequireAuthorization(ApiKeyDefaults.ExecutePolicy);
        }
        return app;
    }
}

/// <summary>Present in DI when OTLP export is on; reported at start-up.</summary>
/// <param name="Endpoint">The OTLP endpoint.</param>
internal sealed record TelemetryStatus(string Endpoint);
