using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Sidewinder.Api.OpenApi;

/// <summary>Puts the request example and an example for every response into the document, serialised with the same
/// JSON settings as the real responses.</summary>
internal sealed class ExamplesOperationFilter(IOptions<JsonOptions> json) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var examples = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ExampleMetadata>().FirstOrDefault();
        if (examples is null)
        {
            return;
        }
        if (examples.Request is not null && operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var media in requestContent.Values.OfType<OpenApiMediaType>())
            {
                media.Example = ToNode(examples.Request);
            }
        }
        if (operation.Responses is null)
        {
            return;
        }
        foreach (var (code, response) in operation.Responses)
        {
            if (response.Content is null || !int.TryParse(code, out var status))
            {
                continue;
            }
            var example = status is StatusCodes.Status200OK or StatusCodes.Status201Created ? examples.Ok
                : examples.Problems?.GetValueOrDefault(status) ?? Examples.Problem(status);
            if (example is null)
            {
                continue;
            }
            foreach (var media in response.Content.Values.OfType<OpenApiMediaType>())
            {
                media.Example = ToNode(example);
            }
        }
    }

    private JsonNode? ToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), json.Value.SerializerOptions);
}
