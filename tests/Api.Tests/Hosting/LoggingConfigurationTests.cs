using System.Net;
using Microsoft.Extensions.Logging;

namespace Sidewinder.Api.Tests.Hosting;

/// <summary>Levels from the standard <c>Logging:LogLevel</c> settings and the rest from Serilog's own section, as
/// docs/api.md ("Logs") promises.</summary>
[Collection(ApiTests.Name)]
public sealed class LoggingConfigurationTests
{
    [Fact]
    public async Task HealthProbe_DefaultLevels_IsNotLoggedButEvalIs()
    {
        using var factory = new ApiFactory();
        var client = factory.CreateClient();

        await client.GetAsync("/health/live");
        await client.PostJsonAsync("/eval", new { code = "1" });

        Assert.DoesNotContain(factory.Logs.Entries, e => e.EventName == "ProbeCompleted");
        Assert.Contains(factory.Logs.Entries, e => e.EventName == "RequestCompleted");
    }

    [Fact]
    public async Task HealthProbe_CategoryAtDebug_IsLoggedAtDebug()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Sidewinder.Api.Logging"] = "Debug",
        });

        var response = await factory.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(factory.Logs.Entries, e => e.EventName == "ProbeCompleted");
        Assert.Equal(LogLevel.Debug, entry.Level);
    }

    [Fact]
    public async Task Eval_DefaultLevelWarning_LogsNoRequestLine()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });

        var response = await factory.CreateClient().PostJsonAsync("/eval", new { code = "1" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // appsettings.json keeps Microsoft.Hosting.Lifetime at Information: an override beats the default.
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level < LogLevel.Warning && e.Category != "Microsoft.Hosting.Lifetime");
        Assert.Contains(factory.Logs.Entries, e => e.Category == "Microsoft.Hosting.Lifetime");
    }

    [Fact]
    public async Task Eval_CategoryAtNone_LogsNothingForIt()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Sidewinder.Api.Logging.RequestLoggingMiddleware"] = "None",
        });

        await factory.CreateClient().PostJsonAsync("/eval", new { code = "1 / 0" });

        Assert.DoesNotContain(factory.Logs.Entries, e => e.Category.StartsWith("Sidewinder.Api.Logging", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Eval_SerilogSectionProperties_AreAddedToEveryEvent()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Serilog:Properties:Deployment"] = "blue" });

        await factory.CreateClient().PostJsonAsync("/eval", new { code = "1" });

        var entry = Assert.Single(factory.Logs.Entries, e => e.EventName == "RequestCompleted");
        Assert.Equal("blue", entry.Properties["Deployment"]);
    }

    [Fact]
    public void Start_InvalidLogLevel_FailsNamingTheSetting()
    {
        // Not disposed: disposing a factory whose host failed to start throws inside Host.StopAsync.
        var factory = new ApiFactory(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Loud" });

        var error = factory.StartFailure();

        Assert.Contains("Logging:LogLevel:Default", error, StringComparison.Ordinal);
    }
}
