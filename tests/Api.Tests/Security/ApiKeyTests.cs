using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Sidewinder.Api.Tests.Security;

[Collection(ApiTests.Name)]
public sealed class ApiKeyTests : IDisposable
{
    private const string FullKey = "full-access-key-0123456789";
    private const string EvalOnlyKey = "eval-only-key-0123456789";

    private readonly ApiFactory _factory = new(new Dictionary<string, string?>
    {
        ["Auth:ApiKeys:0:Name"] = "app",
        ["Auth:ApiKeys:0:Key"] = FullKey,
        ["Auth:ApiKeys:1:Name"] = "reports",
        ["Auth:ApiKeys:1:Key"] = EvalOnlyKey,
        ["Auth:ApiKeys:1:Endpoints:0"] = "eval",
    });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Eval_WithoutKey_Returns401ProblemWithChallenge()
    {
        var response = await _factory.CreateClient().PostJsonAsync("/eval", new { code = "1" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("urn:sidewinder:problem:unauthorized", body.Str("type"));
        Assert.Equal("rejected", body.Str("outcome"));
    }

    [Fact]
    public async Task Eval_WithWrongKey_Returns401SayingTheKeyIsInvalid()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FullKey + "x");

        var response = await client.PostJsonAsync("/eval", new { code = "1" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not valid", body.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain(FullKey, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_WithBearerKey_Returns200()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FullKey);

        var response = await client.PostJsonAsync("/eval", new { code = "6 * 7" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(42, (await response.JsonAsync()).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Run_WithXApiKeyHeader_Returns200()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", FullKey);

        var response = await client.PostJsonAsync("/run", new { code = "print('hi')" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Run_WithKeyLimitedToEval_Returns403NamingTheKey()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", EvalOnlyKey);

        var allowed = await client.PostJsonAsync("/eval", new { code = "1" });
        var denied = await client.PostJsonAsync("/run", new { code = "1" });

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var body = await denied.JsonAsync();
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("urn:sidewinder:problem:forbidden", body.Str("type"));
        Assert.Contains("'reports'", body.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_WithoutKey_Returns401ButHealthNeedsNoKey()
    {
        var client = _factory.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task Info_WithKey_ReportsApiKeyMode()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", FullKey);

        var info = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/info");

        Assert.True(info.GetProperty("auth").GetProperty("apiKeysRequired").GetBoolean());
        Assert.Equal("api-key", info.GetProperty("auth").Str("mode"));
    }

    [Fact]
    public async Task Eval_WithKey_RequestLogNamesNeitherKeyNorCode()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", FullKey);

        await client.PostJsonAsync("/eval", new { code = "'secret-code-marker'" });

        Assert.DoesNotContain(_factory.Logs.Entries, e => e.Message.Contains(FullKey, StringComparison.Ordinal));
        Assert.DoesNotContain(_factory.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information
            && e.Message.Contains("secret-code-marker", StringComparison.Ordinal));
    }
}
