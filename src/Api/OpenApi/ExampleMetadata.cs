namespace Sidewinder.Api.OpenApi;

/// <summary>Endpoint metadata: a request example (prefilled by Swagger UI's "Try it out"), a 200/201 example, and examples
/// for the error statuses whose generic one (<see cref="Examples.Problem"/>) would not fit the endpoint.</summary>
/// <param name="Request">The request body example.</param>
/// <param name="Ok">The successful response example.</param>
/// <param name="Problems">Problem examples by status, before the generic ones.</param>
internal sealed record ExampleMetadata(object? Request, object? Ok, IReadOnlyDictionary<int, object>? Problems = null);
