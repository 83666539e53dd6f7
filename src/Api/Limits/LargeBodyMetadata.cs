namespace Sidewinder.Api.Limits;

/// <summary>Marks an endpoint that enforces its own body limit while it reads (session uploads), so the service-wide
/// <see cref="LimitsOptions.MaxRequestBodyBytes"/>, meant for JSON requests, does not refuse it up front.</summary>
internal sealed record LargeBodyMetadata;
