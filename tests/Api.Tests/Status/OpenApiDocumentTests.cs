using System.Net.Http.Json;
using System.Text.Json;

namespace Sidewinder.Api.Tests.Status;

[Collection(ApiTests.Name)]
public sealed class OpenApiDocumentTests(DefaultApi api)
{
    private static readonly string[] ExecutionStatuses = ["200", "400", "401", "403", "413", "422", "429", "503", "504"];

    private async Task<JsonElement> DocumentAsync() =>
        await api.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");

    [Fact]
    public async Task Document_ListsEveryEndpoint()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        Assert.Equal(["/call", "/eval", "/health/live", "/health/ready", "/info", "/run", "/sessions", "/sessions/{id}",
                "/sessions/{id}/call", "/sessions/{id}/eval", "/sessions/{id}/files", "/sessions/{id}/files/{path}",
                "/sessions/{id}/interrupt", "/sessions/{id}/run"],
            paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Document_ResponseValue_IsAnyJsonValueWithItsDescription()
    {
        // The value is carried through as the worker's raw JSON (RawJsonValue); the document must not describe that
        // carrier type but, as for a JsonElement, any JSON value.
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        var value = schemas.GetProperty("ExecutionResponse").GetProperty("properties").GetProperty("value");

        Assert.False(value.TryGetProperty("$ref", out _), value.GetRawText());
        Assert.False(value.TryGetProperty("type", out _), value.GetRawText());
        Assert.Contains("docs/json-mapping.md", value.Str("description"), StringComparison.Ordinal);
        Assert.DoesNotContain(schemas.EnumerateObject(), s => s.Name.Contains("RawJson", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/eval")]
    [InlineData("/run")]
    [InlineData("/call")]
    public async Task ExecutionEndpoint_HasSummaryDescriptionAndAnExampleForTheRequestAndEveryResponse(string path)
    {
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty(path).GetProperty("post");

        Assert.False(string.IsNullOrWhiteSpace(operation.Str("summary")));
        Assert.False(string.IsNullOrWhiteSpace(operation.Str("description")));
        Assert.True(operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _));
        var responses = operation.GetProperty("responses");
        foreach (var status in ExecutionStatuses)
        {
            Assert.True(responses.TryGetProperty(status, out var response), $"{path} does not document {status}");
            var contents = response.GetProperty("content").EnumerateObject().ToList();
            // 200 comes as JSON or, with Accept: text/event-stream, as an event stream (Streaming/EventStreamTests).
            Assert.Equal(status == "200" ? ["application/json", "text/event-stream"] : ["application/problem+json"], contents.Select(c => c.Name));
            var content = contents[0];
            var example = content.Value.GetProperty("example");
            if (status != "200")
            {
                Assert.Equal(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), example.GetProperty("status").GetInt32());
                Assert.False(string.IsNullOrEmpty(example.Str("outcome")));
            }
        }
    }

    [Fact]
    public async Task EvalExample_RunsAndGivesTheDocumentedResult()
    {
        var client = api.Factory.CreateClient();
        var operation = (await DocumentAsync()).GetProperty("paths").GetProperty("/eval").GetProperty("post");
        var request = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        var documented = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");

        var response = await client.PostRawAsync("/eval", request.GetRawText());

        var body = await response.JsonAsync();
        Assert.Equal(documented.GetProperty("value").GetRawText(), body.GetProperty("value").GetRawText());
        Assert.Equal(documented.Str("valueType"), body.Str("valueType"));
    }

    [Fact]
    public async Task SwaggerUi_IsServed()
    {
        var html = await api.Factory.CreateClient().GetStringAsync("/swagger/index.html");

        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
    }
}
