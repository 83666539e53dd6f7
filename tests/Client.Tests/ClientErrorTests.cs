using System.Text.Json;

namespace Sidewinder.Client.Tests;

/// <summary>Each problem type becomes its exception, with the problem's details; none of these is retried.</summary>
[Collection(ApiTests.Name)]
public sealed class ClientErrorTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task RunAsync_SyntaxError_ThrowsWithLineAndOffset(Transport transport)
    {
        using var host = new ClientHost(transport);

        var error = await Assert.ThrowsAsync<SidewinderSyntaxErrorException>(() => host.Client.RunAsync(new RunRequest("x = 1\ny = (2 +")));

        Assert.Equal(400, error.Status);
        Assert.Equal(2, error.Line);
        Assert.NotNull(error.Offset);
        Assert.Equal("urn:sidewinder:problem:syntax-error", error.ProblemType);
        Assert.Equal("error", error.Outcome);
    }

    [Fact]
    public async Task RunAsync_PythonError_ThrowsWithFramesAndOutputAndRunsOnce()
    {
        using var host = new ClientHost(Transport.InProcess);
        using var marker = new TempFile();

        var error = await Assert.ThrowsAsync<SidewinderPythonException>(() => host.Client.RunAsync(new RunRequest(
            $"open({JsonSerializer.Serialize(marker.Path)}, 'a').write('x')\nprint('before')\n1 / 0")));

        Assert.Equal(422, error.Status);
        Assert.Equal("ZeroDivisionError", error.PythonType);
        Assert.Contains(error.Frames, f => f.File == "<run>" && f.Line == 3);
        Assert.Contains("Traceback", error.Traceback, StringComparison.Ordinal);
        Assert.Equal("before\n", error.Stdout);
        Assert.NotNull(error.JobId);
        Assert.Equal("x", marker.Read());
    }

    [Fact]
    public async Task RunAsync_PastTheDeadline_ThrowsWithPartialOutputAndIsNotRetried()
    {
        using var host = new ClientHost(Transport.InProcess);
        using var marker = new TempFile();

        var error = await Assert.ThrowsAsync<SidewinderTimeoutException>(() => host.Client.RunAsync(new RunRequest(
            $"open({JsonSerializer.Serialize(marker.Path)}, 'a').write('x')\nprint('started', flush=True)\nwhile True:\n    pass")
        { TimeoutMs = 3000 })); // room for the print on a starved machine (300 ms was missed on a loaded 3.13t run)

        Assert.Equal(504, error.Status);
        Assert.Equal("timeout", error.Outcome);
        Assert.Equal("started\n", error.Stdout);
        Assert.Equal("x", marker.Read()); // one attempt only
        Assert.Single(host.Outcomes("/run"));
    }

    [Fact]
    public async Task EvalAsync_InvalidTimeout_ThrowsInvalidRequest()
    {
        using var host = new ClientHost(Transport.InProcess);

        var error = await Assert.ThrowsAsync<SidewinderInvalidRequestException>(() => host.Client.EvalAsync(new EvalRequest("1") { TimeoutMs = 0 }));

        Assert.Equal(400, error.Status);
        Assert.Contains("timeoutMs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ValueNotConvertible_ThrowsPythonExceptionForTheConversion()
    {
        using var host = new ClientHost(Transport.InProcess);

        var error = await Assert.ThrowsAsync<SidewinderPythonException>(() => host.Client.RunAsync(new RunRequest("cycle = []\ncycle.append(cycle)\ncycle")));

        Assert.Equal("urn:sidewinder:problem:conversion-error", error.ProblemType);
    }

    [Theory]
    [InlineData(null, 401)]
    [InlineData("client-eval-only-key-0123", 403)]
    public async Task RunAsync_KeyMissingOrNotAllowed_ThrowsAccessDenied(string? key, int status)
    {
        using var host = new ClientHost(Transport.InProcess, new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = "client-eval-only-key-0123",
            ["Auth:ApiKeys:0:Endpoints:0"] = "eval",
        }, o => o.ApiKey = key);

        var error = await Assert.ThrowsAsync<SidewinderAccessDeniedException>(() => host.Client.RunAsync(new RunRequest("1")));

        Assert.Equal(status, error.Status);
        Assert.Equal("rejected", error.Outcome);
    }

    [Fact]
    public async Task EvalAsync_WithKey_Succeeds()
    {
        using var host = new ClientHost(Transport.Socket, new Dictionary<string, string?> { ["Auth:ApiKeys:0:Key"] = "client-full-key-012345678" },
            o => o.ApiKey = "client-full-key-012345678");

        var result = await host.Client.EvalAsync(new EvalRequest("6 * 7"));

        Assert.Equal(42, result.GetValue<int>());
    }
}

/// <summary>A temporary file path that Python code can append to, so a test can count how often the code ran.</summary>
internal sealed class TempFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sidewinder-client-" + Guid.NewGuid().ToString("N"));

    public string Read() => File.Exists(Path) ? File.ReadAllText(Path) : "";

    public void Dispose() => File.Delete(Path);
}
