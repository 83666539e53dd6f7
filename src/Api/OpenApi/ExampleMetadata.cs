namespace Sidewinder.Api.OpenApi;

/// <summary>Endpoint metadata: a request example (prefilled by Swagger UI's "Try it out") and a 200 example.</summary>
/// <param name="Request">The request body example.</param>
/// <param name="Ok">The successful response example.</param>
internal sealed record ExampleMetadata(object? Request, object Ok);
