using Sidewinder.Tests;
using System.Text;

namespace Sidewinder.Client.Tests;

[Collection(ApiTests.Name)]
public sealed class ClientSessionTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task SessionMethods_RunEvalCallFilesAndDelete_ShareTheSessionsState(Transport transport)
    {
        using var host = new ClientHost(transport);
        var client = host.Client;

        var session = await client.CreateSessionAsync(new CreateSessionRequest { Variables = new Dictionary<string, object?> { ["r"] = 2 } });
        await client.RunAsync(session, new RunRequest("import math\ndef area(x):\n    return math.pi * x * x"));
        var root = await client.EvalAsync(session, new EvalRequest("math.sqrt(r)"));
        var area = await client.CallAsync(session, new CallRequest("__main__", "area") { Args = [1] });
        var uploaded = await client.UploadFileAsync(session, "in/data.csv", Encoding.UTF8.GetBytes("a,b\n1,2\n"));
        var read = await client.EvalAsync(session, new EvalRequest("(SESSION_DIR / 'in' / 'data.csv').read_text()"));
        await client.RunAsync(session, new RunRequest("(SESSION_DIR / 'out.txt').write_text('done')"));
        var files = await client.ListFilesAsync(session);
        var downloaded = await client.DownloadFileAsync(session, "out.txt");
        await client.DeleteFileAsync(session, "out.txt");
        var details = await client.GetSessionAsync(session);
        await client.DeleteSessionAsync(session);

        Assert.Equal(Math.Sqrt(2), root.GetValue<double>(), 12);
        Assert.Equal(Math.PI, area.GetValue<double>(), 12);
        Assert.Equal(8, uploaded.Size);
        Assert.Equal("a,b\n1,2\n", read.GetValue<string>());
        Assert.Equal(["in/data.csv", "out.txt"], files.Select(f => f.Path));
        Assert.Equal("done", Encoding.UTF8.GetString(downloaded));
        Assert.Contains(details.Variables!, v => v is { Name: "area", Type: "function" });
        await Assert.ThrowsAsync<SidewinderSessionNotFoundException>(() => client.GetSessionAsync(session));
    }

    [Fact]
    public async Task DownloadAndDeleteFile_MissingFile_ThrowFileNotFound_AndTheSessionLivesOn()
    {
        using var host = new ClientHost(Transport.InProcess);
        var client = host.Client;
        var session = await client.CreateSessionAsync();

        var download = await Assert.ThrowsAsync<SidewinderFileNotFoundException>(() => client.DownloadFileAsync(session, "nope.txt"));
        await Assert.ThrowsAsync<SidewinderFileNotFoundException>(() => client.DeleteFileAsync(session, "nope.txt"));
        var details = await client.GetSessionAsync(session);

        Assert.Equal(404, download.Status);
        Assert.Contains("nope.txt", download.Message, StringComparison.Ordinal);
        Assert.Equal(session.Id, details.Id);
        await client.DeleteSessionAsync(session);
    }

    [Fact]
    public async Task InterruptAsync_RunningLoop_ThrowsInterruptedWithOutputAndKeepsState()
    {
        using var host = new ClientHost(Transport.InProcess);
        var client = host.Client;
        var session = await client.CreateSessionAsync();
        await client.RunAsync(session, new RunRequest("kept = 1"));

        using var started = new FileGate();
        var running = client.RunAsync(session, new RunRequest("print('started')\n" + started.OpenCode + "while True:\n    pass"));
        await Poll.UntilAsync(() => started.IsOpen);
        Assert.True(await client.InterruptAsync(session));

        var interrupted = await Assert.ThrowsAsync<SidewinderInterruptedException>(() => running);
        Assert.Equal("started\n", interrupted.Stdout);
        Assert.Equal(1, (await client.EvalAsync(session, new EvalRequest("kept"))).GetValue<int>());
    }

    [Fact]
    public async Task UploadFileAsync_TraversingPath_ThrowsInvalidRequest()
    {
        using var host = new ClientHost(Transport.InProcess);
        var session = await host.Client.CreateSessionAsync();

        await Assert.ThrowsAsync<SidewinderInvalidRequestException>(() => host.Client.UploadFileAsync(session, "a/../../x", "x"u8.ToArray()));
    }

    [Fact]
    public async Task SessionRequests_GoToTheReplicaTheServiceNamed()
    {
        // The service names a replica that does not listen: creating works (base address), the session's own requests fail
        // to connect, which shows they went to the named replica and not to the base address.
        var closed = Ports.FreeLoopbackPort();
        using var host = new ClientHost(Transport.Socket, new Dictionary<string, string?> { ["Sessions:ReplicaUrl"] = $"http://127.0.0.1:{closed}" },
            o => o.MaxRetryAttempts = 0);
        var session = await host.Client.CreateSessionAsync();

        Assert.Equal(new Uri($"http://127.0.0.1:{closed}"), session.ReplicaUrl);
        await Assert.ThrowsAsync<HttpRequestException>(() => host.Client.EvalAsync(session, new EvalRequest("1")));
    }
}
