using static Sidewinder.Deploy.Tests.Node;

namespace Sidewinder.Deploy.Tests;

/// <summary>deploy/kubernetes: the sidecar, the Deployment + Service and the StatefulSet (sessions) patterns parse and keep their hardening.</summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Patterns => new() { "sidecar", "service", "sessions" };

    private static readonly Dictionary<string, string[]> s_expectedKinds = new(StringComparer.Ordinal)
    {
        ["sidecar"] = ["ConfigMap", "Deployment", "NetworkPolicy"],
        ["service"] = ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service"],
        ["sessions"] = ["ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Service", "Service", "StatefulSet"],
    };

    /// <summary>The pattern's workload: a Deployment, or the sessions pattern's StatefulSet.</summary>
    private static Dictionary<string, object?> Workload(string pattern) =>
        Manifests(pattern).Where(m => m.Document["kind"] is "Deployment" or "StatefulSet").Select(m => m.Document).Single();

    /// <summary>Every manifest of a pattern, in kustomization order, each paired with the file it came from.</summary>
    private static List<(string File, Dictionary<string, object?> Document)> Manifests(string pattern)
    {
        var directory = $"deploy/kubernetes/{pattern}";
        var kustomization = Map(Repository.ReadYaml($"{directory}/kustomization.yaml").Single(), "kustomization.yaml");
        Assert.Equal("Kustomization", kustomization["kind"]);
        return List(kustomization["resources"], "resources")
            .Select(r => Text(r, "resources[]"))
            .SelectMany(file => Repository.ReadYaml($"{directory}/{file}").Select(d => (file, Map(d, file))))
            .ToList();
    }

    private static Dictionary<string, object?> Single(string pattern, string kind) =>
        Manifests(pattern).Where(m => Equals(m.Document["kind"], kind)).Select(m => m.Document).Single();

    private static Dictionary<string, object?> PodSpec(string pattern) => Map(At(Workload(pattern), "spec.template.spec"), "pod spec");

    private static readonly string[] s_containerLists = ["initContainers", "containers"];

    private static IEnumerable<Dictionary<string, object?>> AllContainers(Dictionary<string, object?> pod) =>
        s_containerLists
            .SelectMany(key => pod.TryGetValue(key, out var list) && list is not null ? List(list, key) : [])
            .Select(c => Map(c, "container"));

    private static Dictionary<string, object?> SidewinderContainer(string pattern) =>
        AllContainers(PodSpec(pattern)).Single(c => Equals(c["name"], "sidewinder"));

    [Fact]
    public void AllManifests_Parse_WithApiVersionKindAndName()
    {
        var files = Directory.GetFiles(Repository.PathOf("deploy/kubernetes"), "*.yaml", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(Repository.Root, file);
            foreach (var document in Repository.ReadYaml(relative).Select(d => Map(d, relative)))
            {
                Assert.False(string.IsNullOrEmpty(document.GetValueOrDefault("apiVersion") as string), $"{relative}: apiVersion");
                var kind = Text(document["kind"], $"{relative}: kind");
                if (kind != "Kustomization")
                {
                    Assert.False(string.IsNullOrEmpty(TryAt(document, "metadata.name") as string), $"{relative}: metadata.name");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Kustomization_EachPattern_ListsTheExpectedKinds(string pattern)
    {
        var kinds = Manifests(pattern).Select(m => Text(m.Document["kind"], $"{m.File}: kind")).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(s_expectedKinds[pattern], kinds);
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void SidewinderContainer_EachPattern_HasHealthProbes(string pattern)
    {
        var container = SidewinderContainer(pattern);
        var portNames = List(container["ports"], "ports").Select(p => Map(p, "port")).Where(p => Equals(p["containerPort"], "8080")).Select(p => p["name"]).ToList();
        Assert.Single(portNames);

        Assert.Equal("/health/live", At(container, "livenessProbe.httpGet.path"));
        Assert.Equal("/health/ready", At(container, "readinessProbe.httpGet.path"));
        Assert.Equal(portNames[0], At(container, "livenessProbe.httpGet.port"));
        Assert.Equal(portNames[0], At(container, "readinessProbe.httpGet.port"));
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void AllContainers_EachPattern_HaveRequestsAndLimits(string pattern)
    {
        foreach (var container in AllContainers(PodSpec(pattern)))
        {
            foreach (var path in new[] { "resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu", "resources.limits.memory" })
            {
                Assert.False(string.IsNullOrEmpty(TryAt(container, path) as string), $"{pattern}/{container["name"]}: {path}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void AllContainers_EachPattern_AreRestricted(string pattern)
    {
        var pod = PodSpec(pattern);
        Assert.Equal("true", At(pod, "securityContext.runAsNonRoot"));
        Assert.NotEqual("0", At(pod, "securityContext.runAsUser"));
        Assert.Equal("RuntimeDefault", At(pod, "securityContext.seccompProfile.type"));
        Assert.Equal("false", At(pod, "automountServiceAccountToken"));
        foreach (var container in AllContainers(pod))
        {
            var name = $"{pattern}/{container["name"]}";
            Assert.True(Equals(TryAt(container, "securityContext.allowPrivilegeEscalation"), "false"), $"{name}: allowPrivilegeEscalation");
            Assert.True(Equals(TryAt(container, "securityContext.readOnlyRootFilesystem"), "true"), $"{name}: readOnlyRootFilesystem");
            Assert.True(Equals(TryAt(container, "securityContext.runAsNonRoot"), "true"), $"{name}: runAsNonRoot");
            Assert.NotEqual("true", TryAt(container, "securityContext.privileged"));
            Assert.Equal<object?>(["ALL"], List(At(container, "securityContext.capabilities.drop"), $"{name}: capabilities.drop"));
            Assert.Equal("RuntimeDefault", TryAt(container, "securityContext.seccompProfile.type") ?? At(pod, "securityContext.seccompProfile.type"));
        }
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void SidewinderContainer_EachPattern_TakesTheApiKeyFromASecret(string pattern)
    {
        var env = Environment(SidewinderContainer(pattern));

        var key = Map(env["Auth__ApiKeys__0__Key"], "Auth__ApiKeys__0__Key");
        Assert.False(key.ContainsKey("value"), "the key must not be inline");
        Assert.Equal("sidewinder-api-key", At(key, "valueFrom.secretKeyRef.name"));
        Assert.Equal("key", At(key, "valueFrom.secretKeyRef.key"));
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void SidewinderContainer_EachPattern_WritesOnlyToTmpAndMountsScripts(string pattern)
    {
        var pod = PodSpec(pattern);
        var container = SidewinderContainer(pattern);
        var volumes = List(pod["volumes"], "volumes").Select(v => Map(v, "volume")).ToDictionary(v => Text(v["name"], "volume name"), StringComparer.Ordinal);
        var mounts = List(container["volumeMounts"], "volumeMounts").Select(m => Map(m, "volumeMount")).ToDictionary(m => Text(m["mountPath"], "mountPath"), StringComparer.Ordinal);

        Assert.Equal<string>(["/scripts", "/tmp"], mounts.Keys.Order(StringComparer.Ordinal));
        Assert.True(volumes[Text(mounts["/tmp"]["name"], "name")].ContainsKey("emptyDir"), "/tmp is an emptyDir");
        Assert.Equal("true", mounts["/scripts"].GetValueOrDefault("readOnly"));
        var scriptsConfigMap = Text(At(volumes[Text(mounts["/scripts"]["name"], "name")], "configMap.name"), "configMap.name");
        Assert.Equal(scriptsConfigMap, At(Single(pattern, "ConfigMap"), "metadata.name"));
        Assert.Equal("/scripts", At(Environment(container)["Workers__ScriptsDirectory"], "value"));
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void TerminationGracePeriod_EachPattern_CoversTheDrain(string pattern)
    {
        var shutdown = TimeSpan.Parse(Text(At(Environment(SidewinderContainer(pattern))["Workers__ShutdownGracePeriod"], "value"), "value"),
            System.Globalization.CultureInfo.InvariantCulture);
        var grace = int.Parse(Text(At(PodSpec(pattern), "terminationGracePeriodSeconds"), "terminationGracePeriodSeconds"),
            System.Globalization.CultureInfo.InvariantCulture);

        // Drain + interrupt + interpreter shutdown + a preStop sleep must fit before SIGKILL.
        Assert.True(grace >= shutdown.TotalSeconds + 15, $"terminationGracePeriodSeconds {grace} is too short for a {shutdown.TotalSeconds} s drain");
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public void NetworkPolicy_EachPattern_BlocksEgressForThePods(string pattern)
    {
        var policy = Single(pattern, "NetworkPolicy");
        var podLabels = Map(At(Workload(pattern), "spec.template.metadata.labels"), "pod labels");

        Assert.Contains("Egress", List(At(policy, "spec.policyTypes"), "policyTypes"));
        Assert.Contains("Ingress", List(At(policy, "spec.policyTypes"), "policyTypes"));
        var egress = TryAt(policy, "spec.egress");
        Assert.True(egress is null || List(egress, "egress").Count == 0, "no egress rule: all egress is denied");
        foreach (var (label, value) in Map(At(policy, "spec.podSelector.matchLabels"), "podSelector.matchLabels"))
        {
            Assert.Equal(value, podLabels.GetValueOrDefault(label));
        }
    }

    [Fact]
    public void SidecarPattern_Sidewinder_IsANativeSidecarTheAppCallsOnLocalhost()
    {
        var pod = PodSpec("sidecar");
        var sidewinder = List(pod["initContainers"], "initContainers").Select(c => Map(c, "initContainer")).Single(c => Equals(c["name"], "sidewinder"));
        var app = List(pod["containers"], "containers").Select(c => Map(c, "container")).Single();

        Assert.Equal("Always", sidewinder["restartPolicy"]);
        Assert.Equal("/health/ready", At(sidewinder, "startupProbe.httpGet.path"));
        var command = string.Join(' ', List(app["args"], "args").Select(a => Text(a, "arg")));
        Assert.Contains("http://127.0.0.1:8080/", command, StringComparison.Ordinal);
        var appKey = List(app["env"], "env").Select(e => Map(e, "env")).Single(e => Equals(e["name"], "SIDEWINDER_API_KEY"));
        Assert.Equal("sidewinder-api-key", At(appKey, "valueFrom.secretKeyRef.name"));
        Assert.Contains("example.py", Map(At(Single("sidecar", "ConfigMap"), "data"), "data").Keys);
    }

    [Fact]
    public void ServicePattern_ServiceHpaAndBudget_TargetTheDeployment()
    {
        var deployment = Single("service", "Deployment");
        var podLabels = Map(At(deployment, "spec.template.metadata.labels"), "pod labels");
        var service = Single("service", "Service");
        var hpa = Single("service", "HorizontalPodAutoscaler");
        var budget = Single("service", "PodDisruptionBudget");
        var policy = Single("service", "NetworkPolicy");

        foreach (var selector in new[] { Map(At(service, "spec.selector"), "service selector"), Map(At(budget, "spec.selector.matchLabels"), "pdb selector") })
        {
            foreach (var (label, value) in selector)
            {
                Assert.Equal(value, podLabels.GetValueOrDefault(label));
            }
        }
        var servicePort = Map(List(At(service, "spec.ports"), "ports").Single(), "port");
        Assert.Equal("8080", servicePort["port"]);
        Assert.Equal("http", servicePort["targetPort"]);

        Assert.Equal("Deployment", At(hpa, "spec.scaleTargetRef.kind"));
        Assert.Equal(At(deployment, "metadata.name"), At(hpa, "spec.scaleTargetRef.name"));
        var metric = Map(List(At(hpa, "spec.metrics"), "metrics").Single(), "metric");
        Assert.Equal("cpu", At(metric, "resource.name"));
        Assert.Equal("Utilization", At(metric, "resource.target.type"));
        Assert.True(int.Parse(Text(At(hpa, "spec.minReplicas"), "minReplicas"), System.Globalization.CultureInfo.InvariantCulture) >= 2);

        var ingress = Map(List(At(policy, "spec.ingress"), "ingress").Single(), "ingress rule");
        Assert.Equal("8080", At(Map(List(ingress["ports"], "ports").Single(), "port"), "port"));
    }

    [Fact]
    public void SessionsPattern_EachReplica_NamesItselfThroughTheHeadlessService()
    {
        var statefulSet = Single("sessions", "StatefulSet");
        var services = Manifests("sessions").Where(m => Equals(m.Document["kind"], "Service")).Select(m => m.Document).ToList();
        var headless = services.Single(s => Equals(TryAt(s, "spec.clusterIP"), "None"));
        var balanced = services.Single(s => !Equals(TryAt(s, "spec.clusterIP"), "None"));
        var podLabels = Map(At(statefulSet, "spec.template.metadata.labels"), "pod labels");
        var container = SidewinderContainer("sessions");
        var env = List(container["env"], "env").Select(e => Map(e, "env")).ToList();
        var names = env.Select(e => Text(e["name"], "env name")).ToList();

        Assert.Equal(At(headless, "metadata.name"), At(statefulSet, "spec.serviceName"));
        foreach (var service in services)
        {
            foreach (var (label, value) in Map(At(service, "spec.selector"), "selector"))
            {
                Assert.Equal(value, podLabels.GetValueOrDefault(label));
            }
        }
        Assert.Equal("sidewinder", At(balanced, "metadata.name"));
        Assert.Equal("metadata.name", At(env.Single(e => Equals(e["name"], "POD_NAME")), "valueFrom.fieldRef.fieldPath"));
        var replicaUrl = Text(At(env.Single(e => Equals(e["name"], "Sessions__ReplicaUrl")), "value"), "Sessions__ReplicaUrl");
        Assert.StartsWith("http://$(POD_NAME)." + At(headless, "metadata.name") + ".", replicaUrl, StringComparison.Ordinal);
        Assert.EndsWith(":8080", replicaUrl, StringComparison.Ordinal);
        // Kubernetes expands $(VAR) only from variables defined earlier in the list.
        Assert.True(names.IndexOf("POD_NAME") < names.IndexOf("Sessions__ReplicaUrl"));
        Assert.True(names.IndexOf("POD_NAMESPACE") < names.IndexOf("Sessions__ReplicaUrl"));
        Assert.DoesNotContain(Manifests("sessions"), m => Equals(m.Document["kind"], "HorizontalPodAutoscaler"));
    }

    private static Dictionary<string, Dictionary<string, object?>> Environment(Dictionary<string, object?> container) =>
        List(container["env"], "env").Select(e => Map(e, "env")).ToDictionary(e => Text(e["name"], "env name"), StringComparer.Ordinal);
}
