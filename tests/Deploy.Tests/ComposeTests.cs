using static Sidewinder.Deploy.Tests.Node;

namespace Sidewinder.Deploy.Tests;

/// <summary>docker-compose.yml: Sidewinder as a sidecar of a small app, with an OpenTelemetry collector.</summary>
public sealed class ComposeTests
{
    private static Dictionary<string, object?> Services() =>
        Map(At(Repository.ReadYaml("docker-compose.yml").Single(), "services"), "services");

    private static Dictionary<string, object?> Service(string name) => Map(Services()[name], name);

    private static Dictionary<string, object?> EnvironmentOf(string name) => Map(Service(name)["environment"], $"{name}.environment");

    /// <summary>Host side of the bind mount to <paramref name="target"/>, relative to the repository.</summary>
    private static string HostPathMountedAt(string service, string target)
    {
        var volume = List(Service(service)["volumes"], $"{service}.volumes")
            .Select(v => Text(v, "volume").Split(':'))
            .Single(parts => parts.Length >= 2 && parts[1] == target);
        return volume[0];
    }

    [Fact]
    public void Compose_Services_AreSidewinderAppAndTelemetry()
    {
        Assert.Equal<string>(["app", "jaeger", "otel-collector", "sidewinder"], Services().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(".", At(Service("sidewinder"), "build.context"));
    }

    [Fact]
    public void Compose_Sidewinder_IsHardened()
    {
        var sidewinder = Service("sidewinder");

        Assert.Equal("true", sidewinder["read_only"]);
        Assert.Contains(List(sidewinder["tmpfs"], "tmpfs"), t => Text(t, "tmpfs").Split(':')[0] == "/tmp");
        Assert.Equal<object?>(["ALL"], List(sidewinder["cap_drop"], "cap_drop"));
        Assert.Contains("no-new-privileges:true", List(sidewinder["security_opt"], "security_opt"));
        Assert.NotEqual("0", Text(sidewinder["user"], "user").Split(':')[0]);
        Assert.NotNull(sidewinder["stop_grace_period"]);
    }

    [Fact]
    public void Compose_App_SharesSidewinderNetworkAndCallsLocalhost()
    {
        var app = Service("app");
        var environment = EnvironmentOf("sidewinder");

        Assert.Equal("service:sidewinder", app["network_mode"]);
        Assert.Equal("service_healthy", At(app, "depends_on.sidewinder.condition"));
        Assert.StartsWith("http://127.0.0.1:8080", Text(EnvironmentOf("app")["SIDEWINDER_URL"], "SIDEWINDER_URL"), StringComparison.Ordinal);
        // Loopback only, so the keyless default is safe; the image's 0.0.0.0:8080 is switched off.
        Assert.Equal("http://127.0.0.1:8080", environment["ASPNETCORE_URLS"]);
        Assert.True(environment.TryGetValue("ASPNETCORE_HTTP_PORTS", out var ports) && string.IsNullOrEmpty(ports as string));

        var appDirectory = HostPathMountedAt("app", "/app");
        var command = List(app["command"], "command").Select(c => Text(c, "command")).ToList();
        Assert.True(File.Exists(Repository.PathOf(Path.Combine(appDirectory, Path.GetFileName(command[^1])))), "the app's script exists");
    }

    [Fact]
    public void Compose_ScriptsDirectory_IsMountedAndHasWhatTheAppCalls()
    {
        var scripts = HostPathMountedAt("sidewinder", "/scripts");
        var appSource = Repository.ReadText(Path.Combine(HostPathMountedAt("app", "/app"), "app.py"));
        var demo = Repository.ReadText(Path.Combine(scripts, "demo.py"));

        Assert.Equal("/scripts", EnvironmentOf("sidewinder")["Workers__ScriptsDirectory"]);
        foreach (var function in new[] { "greet", "stats" })
        {
            Assert.Contains($"call(\"demo\", \"{function}\"", appSource, StringComparison.Ordinal);
            Assert.Contains($"def {function}(", demo, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compose_Traces_GoToTheCollector()
    {
        var environment = EnvironmentOf("sidewinder");
        var collectorConfig = Map(Repository.ReadYaml(HostPathMountedAt("otel-collector", "/etc/otelcol/config.yaml")).Single(), "collector config");

        Assert.Equal("http://otel-collector:4317", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("sidewinder", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("0.0.0.0:4317", At(collectorConfig, "receivers.otlp.protocols.grpc.endpoint"));
        Assert.Contains("otlp", List(At(collectorConfig, "service.pipelines.traces.receivers"), "traces.receivers"));
        Assert.Contains("otlp", List(At(collectorConfig, "service.pipelines.metrics.receivers"), "metrics.receivers"));
        foreach (var exporter in List(At(collectorConfig, "service.pipelines.traces.exporters"), "traces.exporters"))
        {
            Assert.True(Map(collectorConfig["exporters"], "exporters").ContainsKey(Text(exporter, "exporter")), $"exporter {exporter} is defined");
        }
    }
}
