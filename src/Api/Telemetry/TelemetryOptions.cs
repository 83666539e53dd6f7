namespace Sidewinder.Api.Telemetry;

/// <summary>The Prometheus scrape endpoint (configuration section <c>Telemetry</c>). OTLP export is configured with the
/// standard <c>OTEL_*</c> variables instead.</summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Endpoint name that an API key's <c>Endpoints</c> list must contain to scrape (when the list is not empty).</summary>
    public const string EndpointName = "metrics";

    /// <summary>Serve the worker pool's, ASP.NET Core's and the .NET runtime's metrics in the Prometheus text format at
    /// <see cref="PrometheusPath"/>, on the service's own port, behind the API key when keys are configured. Default: false.</summary>
    public bool PrometheusEnabled { get; set; }

    /// <summary>Path of the scrape endpoint. Default: <c>/metrics</c>.</summary>
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>Every problem with these settings, naming the setting to change.</summary>
    public IReadOnlyList<string> Validate() =>
        PrometheusPath.StartsWith('/') && PrometheusPath.Length > 1
            ? []
            : [$"Telemetry:PrometheusPath must be a path such as /metrics (is '{PrometheusPath}')."];
}
