using System.Text.RegularExpressions;

namespace Sidewinder.Deploy.Tests;

/// <summary>The Dockerfile: base images as arguments, a hardened final stage, and a restore layer that lists every project.</summary>
/// <remarks>scripts/container-test.sh builds and runs the image; these checks need no container tools.</remarks>
public sealed partial class DockerfileTests
{
    /// <summary>Instructions with continuations joined and comments dropped: (keyword, arguments).</summary>
    private static List<(string Keyword, string Arguments)> Instructions()
    {
        var result = new List<(string, string)>();
        var current = "";
        foreach (var raw in Repository.ReadText("Dockerfile").Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            current += line;
            if (current.Trim().Length > 0)
            {
                var trimmed = current.Trim();
                var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
                result.Add((trimmed[..space].ToUpperInvariant(), trimmed[(space + 1)..].Trim()));
            }
            current = "";
        }
        return result;
    }

    private static List<(string Keyword, string Arguments)> FinalStage()
    {
        var instructions = Instructions();
        var last = instructions.FindLastIndex(i => i.Keyword == "FROM");
        return instructions[last..];
    }

    [Fact]
    public void BaseImages_AreArgumentsDefaultingToPublicImages()
    {
        // Arguments before the first FROM: the ones a FROM line can use.
        var args = Instructions().TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG")
            .Select(i => i.Arguments.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", args["SDK_IMAGE"]);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", args["ASPNET_IMAGE"]);
        Assert.Equal("debian:bookworm-slim", args["DEBIAN_IMAGE"]);
        Assert.All(Instructions().Where(i => i.Keyword == "FROM"), from => Assert.StartsWith("${", from.Arguments, StringComparison.Ordinal));
    }

    [Fact]
    public void StageArguments_DeclaredInSeveralStages_HaveOneDefault()
    {
        // PYTHON_313T_PREFIX / PYTHON_314T_PREFIX are where a free-threaded stage installs and where the final stage
        // copies from and points the manifest.
        var conflicting = Instructions().Where(i => i.Keyword == "ARG").Select(i => i.Arguments.Split('=', 2))
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .Where(g => g.Select(p => p.Length == 2 ? p[1] : null).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => g.Key);

        Assert.Empty(conflicting);
        foreach (var prefix in new[] { "PYTHON_313T_PREFIX=", "PYTHON_314T_PREFIX=" })
        {
            Assert.Equal(2, Instructions().Count(i => i.Keyword == "ARG" && i.Arguments.StartsWith(prefix, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void FreeThreadedBuilds_Are313tWithTheImmortalizationSwitchAnd314t()
    {
        // Without _testinternalcapi, 3.13t never frees the code objects of the jobs (the pool logs a warning);
        // 3.14t does not immortalize them and needs no test module.
        var builds = Instructions().Where(i => i.Keyword == "RUN" && i.Arguments.Contains("--disable-gil", StringComparison.Ordinal))
            .Select(i => i.Arguments).ToList();

        Assert.Equal(2, builds.Count);
        var ft313 = Assert.Single(builds, b => b.Contains("python3.13t", StringComparison.Ordinal));
        Assert.DoesNotContain("--disable-test-modules", ft313, StringComparison.Ordinal);
        Assert.Contains("import _testinternalcapi", ft313, StringComparison.Ordinal);
        Assert.Single(builds, b => b.Contains("python3.14t", StringComparison.Ordinal));
        // The same configure line as scripts/provision-python.sh.
        Assert.All(builds, b => Assert.Contains("--enable-shared", b, StringComparison.Ordinal));
        Assert.Contains("--enable-shared", Repository.ReadText("scripts/provision-python.sh"), StringComparison.Ordinal);
    }

    [Fact]
    public void FreeThreadedStages_TakeTheSameSuitesAsTheProvisioningScript()
    {
        // An argument declared in several stages has one default (StageArguments_DeclaredInSeveralStages_HaveOneDefault).
        var args = Instructions().Where(i => i.Keyword == "ARG").Select(i => i.Arguments.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        var script = Repository.ReadText("scripts/provision-python.sh");

        Assert.Contains($"SIDEWINDER_SUITE_3_13:-{args["PYTHON_313_SUITE"]}}}", script, StringComparison.Ordinal);
        Assert.Contains($"SIDEWINDER_SUITE_3_14:-{args["PYTHON_314_SUITE"]}}}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void FinalStage_RunsAsNonRootWithOnePortAHealthcheckAndAnExecEntrypoint()
    {
        var final = FinalStage();

        var user = final.Single(i => i.Keyword == "USER").Arguments.Split(':')[0];
        Assert.Matches("^[1-9][0-9]*$", user); // numeric, so Kubernetes can verify runAsNonRoot
        Assert.Equal("8080", final.Single(i => i.Keyword == "EXPOSE").Arguments);
        var healthcheck = final.Single(i => i.Keyword == "HEALTHCHECK").Arguments;
        Assert.Contains("healthcheck.py", healthcheck, StringComparison.Ordinal);
        Assert.Contains("/health/live", Repository.ReadText("deploy/container/healthcheck.py"), StringComparison.Ordinal);
        Assert.StartsWith("[\"dotnet\"", final.Single(i => i.Keyword == "ENTRYPOINT").Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void FinalStage_HasNoBuildTools()
    {
        var final = string.Join('\n', FinalStage().Select(i => i.Arguments));

        Assert.DoesNotContain("build-essential", final, StringComparison.Ordinal);
        Assert.DoesNotContain("-dev ", final, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet/sdk", final, StringComparison.Ordinal);
        Assert.Contains("rm -rf /var/lib/apt/lists/*", final, StringComparison.Ordinal);
    }

    [Fact]
    public void FinalStage_Environment_SelectsTheRuntimeAndScriptsDirectory()
    {
        var env = string.Join(' ', FinalStage().Where(i => i.Keyword == "ENV").Select(i => i.Arguments));

        Assert.Contains("SIDEWINDER_PYTHON=default", env, StringComparison.Ordinal);
        Assert.Contains("SIDEWINDER_CACHE=/opt/sidewinder", env, StringComparison.Ordinal);
        Assert.Contains("Workers__ScriptsDirectory=/scripts", env, StringComparison.Ordinal);
        Assert.Contains("PYTHONDONTWRITEBYTECODE=1", env, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", env, StringComparison.Ordinal);
        var manifests = string.Join('\n', FinalStage().Where(i => i.Keyword == "RUN").Select(i => i.Arguments));
        foreach (var runtime in new[] { "default", "PYTHON_313T_PREFIX", "PYTHON_314T_PREFIX" })
        {
            Assert.Contains(runtime, manifests, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RestoreLayer_CopiesEveryProjectTheApiNeeds()
    {
        var copied = Instructions().Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
            .ToHashSet(StringComparer.Ordinal);

        foreach (var project in ProjectClosure("src/Api/Sidewinder.Api.csproj"))
        {
            Assert.Contains(project, copied);
        }
        foreach (var file in copied)
        {
            Assert.True(File.Exists(Repository.PathOf(file)) || Directory.Exists(Repository.PathOf(file)), $"COPY source {file} exists");
        }
    }

    [Fact]
    public void BuildStage_CopiesTheRepositoryWideBuildSettings()
    {
        // Without .editorconfig the analyzers run with other severities and the warnings-as-errors build differs.
        var copied = Instructions().Where(i => i.Keyword == "COPY").SelectMany(i => i.Arguments.Split(' ')).ToHashSet(StringComparer.Ordinal);
        var ignore = Repository.ReadText(".dockerignore").Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);

        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig", "NuGet.config", "nuget.config" })
        {
            if (File.Exists(Repository.PathOf(file)))
            {
                Assert.Contains(file, copied);
                Assert.Contains("!" + file, ignore);
            }
        }
    }

    [Fact]
    public void DockerIgnore_KeepsWhatTheDockerfileCopies()
    {
        var ignore = Repository.ReadText(".dockerignore").Split('\n').Select(l => l.Trim()).ToList();

        Assert.Contains("!src/", ignore);
        Assert.Contains("!deploy/container/", ignore);
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }
            var directory = Path.GetDirectoryName(current)!;
            foreach (Match match in ProjectReference().Matches(Repository.ReadText(current)))
            {
                var full = Path.GetFullPath(Path.Combine(Repository.PathOf(directory), match.Groups[1].Value));
                pending.Push(Path.GetRelativePath(Repository.Root, full).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }
        return seen;
    }

    [GeneratedRegex("<ProjectReference\\s+Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();
}
