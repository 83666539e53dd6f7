namespace Sidewinder.Api.Tests.Hosting;

[Collection(ApiTests.Name)]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Limits:MaxCodeChars", "0", "Limits:MaxCodeChars")]
    [InlineData("Limits:RateLimitPermitsPerSecond", "-1", "Limits:RateLimitPermitsPerSecond")]
    [InlineData("Workers:QueueCapacity", "0", "QueueCapacity")]
    [InlineData("Auth:ApiKeys:0:Endpoints:0", "exec", "Auth:ApiKeys:0")]
    public void Start_InvalidSetting_FailsWithAMessageNamingIt(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Auth", StringComparison.Ordinal))
        {
            settings["Auth:ApiKeys:0:Key"] = "a-long-enough-test-key";
        }
        // Not disposed: disposing a factory whose host failed to start throws inside Host.StopAsync.
        var factory = new ApiFactory(settings);

        var error = factory.StartFailure();

        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_UnknownLogFormat_FailsNamingTheSetting()
    {
        // Not disposed: disposing a factory whose host failed to start throws inside Host.StopAsync.
        var factory = new ApiFactory(new Dictionary<string, string?> { ["Logging:Format"] = "xml" });

        var error = factory.StartFailure();

        Assert.Contains("Logging:Format", error, StringComparison.Ordinal);
    }
}
