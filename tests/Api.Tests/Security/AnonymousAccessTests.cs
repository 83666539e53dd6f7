using System.Net;
using Sidewinder.Api.Security;

namespace Sidewinder.Api.Tests.Security;

[Collection(ApiTests.Name)]
public sealed class AnonymousAccessTests(DefaultApi api)
{
    [Fact]
    public async Task Eval_AnonymousFromNonLoopbackAddress_Returns403ThatSaysWhatToConfigure()
    {
        var client = api.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Test-Remote-Address", "10.1.2.3");

        var response = await client.PostJsonAsync("/eval", new { code = "1" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Auth:ApiKeys", body.Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task Eval_AnonymousFromLoopback_Returns200(string address)
    {
        var client = api.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Test-Remote-Address", address);

        var response = await client.PostJsonAsync("/eval", new { code = "1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Eval_AnonymousNonLoopbackAllowedByConfiguration_Returns200()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Auth:AllowAnonymousNonLoopback"] = "true" });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Test-Remote-Address", "10.1.2.3");

        var response = await client.PostJsonAsync("/eval", new { code = "1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://10.0.0.4:8080", false)]
    public void IsLoopbackAddress_BoundAddress_Classified(string address, bool loopback) =>
        Assert.Equal(loopback, AnonymousBindingCheck.IsLoopbackAddress(address));

    [Fact]
    public void Start_ShortApiKey_FailsNamingTheSetting()
    {
        // Not disposed: disposing a factory whose host failed to start throws inside Host.StopAsync.
        var factory = new ApiFactory(new Dictionary<string, string?> { ["Auth:ApiKeys:0:Key"] = "short" });

        var error = factory.StartFailure();

        Assert.Contains("Auth:ApiKeys:0:Key", error, StringComparison.Ordinal);
    }
}
