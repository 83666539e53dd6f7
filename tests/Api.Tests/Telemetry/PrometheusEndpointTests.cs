using System.Net;
using System.Net.Http.Headers;

namespace Sidewinder.Api.Tests.Telemetry;

[Collection(ApiTests.Name)]
public sealed class PrometheusEndpointTests(DefaultApi api)
{
    private const string ScrapeKey = "scrape-key-0123456789";
    private const string EvalKey = "eval-key-0123456789ab";

    [Fact]
    public async Task Metrics_Default_IsNotServed()
    {
        var response = await api.Factory.CreateClient().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_EnabledAfterAJob_ShowsWorkerAndAspNetCoreMetrics()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Telemetry:PrometheusEnabled"] = "true" });
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync("/eval", new { code = "6 * 7" })).StatusCode);

        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("sidewinder_workers_jobs_total{", text, StringComparison.Ordinal);
        Assert.Contains("kind=\"eval\"", text, StringComparison.Ordinal);
        Assert.Contains("sidewinder_workers_execution_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(EvalKey, HttpStatusCode.Forbidden)]
    [InlineData(ScrapeKey, HttpStatusCode.OK)]
    public async Task Metrics_KeysConfigured_NeedAKeyAllowedMetrics(string? key, HttpStatusCode expected)
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Telemetry:PrometheusEnabled"] = "true",
            ["Auth:ApiKeys:0:Name"] = "scraper",
            ["Auth:ApiKeys:0:Key"] = ScrapeKey,
            ["Auth:ApiKeys:0:Endpoints:0"] = "metrics",
            ["Auth:ApiKeys:1:Name"] = "evaluator",
            ["Auth:ApiKeys:1:Key"] = EvalKey,
            ["Auth:ApiKeys:1:Endpoints:0"] = "eval",
        });
        var client = factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var response = await client.GetAsync("/metrics");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_Scrape_IsLoggedAtDebugOnly()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Telemetry:PrometheusEnabled"] = "true" });

        await factory.CreateClient().GetAsync("/metrics");

        Assert.DoesNotContain(factory.Logs.Entries, e => e.Properties.TryGetValue("Path", out var path) && Equals(path, "/metrics"));
    }
}
