using System.Net.Http.Json;
using System.Text.Json;

namespace Sidewinder.Api.Tests.Sessions;

[Collection(ApiTests.Name)]
public sealed class SessionOpenApiTests(DefaultApi api)
{
    private async Task<JsonElement> PathsAsync() =>
        (await api.Factory.CreateClient().GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json")).GetProperty("paths");

    [Fact]
    public async Task EverySessionOperation_HasSummaryDescriptionAndAnExampleForEveryProblemStatus()
    {
        var paths = await PathsAsync();
        var operations = 0;
        foreach (var path in paths.EnumerateObject().Where(p => p.Name.StartsWith("/sessions", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.Str("summary")), where);
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.Str("description")), where);
                Assert.True(!path.Name.Contains("{id}", StringComparison.Ordinal) || operation.Value.GetProperty("responses").TryGetProperty("404", out _),
                    where + " documents no 404");
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("401", out _), where + " documents no 401");
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
                {
                    var example = response.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("example");
                    Assert.Equal(int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture), example.GetProperty("status").GetInt32());
                }
            }
        }
        Assert.Equal(12, operations);
    }

    [Theory]
    [InlineData("/sessions/{id}/run")]
    [InlineData("/sessions/{id}/eval")]
    [InlineData("/sessions/{id}/call")]
    public async Task SessionExecution_DocumentsItsOwnConflictBusyAndNotFoundProblems(string path)
    {
        var responses = (await PathsAsync()).GetProperty(path).GetProperty("post").GetProperty("responses");

        string Type(string status) => responses.GetProperty(status).GetProperty("content").GetProperty("application/problem+json")
            .GetProperty("example").Str("type");
        Assert.Equal("urn:sidewinder:problem:interrupted", Type("409"));
        Assert.Equal("urn:sidewinder:problem:session-busy", Type("429"));
        Assert.Equal("urn:sidewinder:problem:session-not-found", Type("404"));
        // The same result as JSON, or (Accept: text/event-stream) as an event stream ending in it.
        Assert.Equal(["application/json", "text/event-stream"],
            responses.GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).Order());
    }

    [Fact]
    public async Task CreateSession_Documents201AndTheRestartCaveat()
    {
        var post = (await PathsAsync()).GetProperty("/sessions").GetProperty("post");

        Assert.True(post.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _));
        Assert.Contains("restart", post.Str("description"), StringComparison.Ordinal);
    }
}
