using System.Text.Json;
using ModelContextProtocol.Client;

namespace Sidewinder.Api.Tests.Mcp;

[Collection(ApiTests.Name)]
public sealed class McpSessionToolTests(DefaultApi api)
{
    [Fact]
    public async Task SessionTools_CreateRunEvalFilesDelete_KeepStateAcrossCalls()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var created = await client.CallToolAsync("python_session_create", new Dictionary<string, object?> { ["variables"] = new { n = 20 } });
        var id = created.StructuredContent!.Value.Str("id");
        var run = await client.CallToolAsync("python_session_run", new Dictionary<string, object?> { ["sessionId"] = id, ["code"] = "import math\nr = n + 5" });
        var eval = await client.CallToolAsync("python_session_eval", new Dictionary<string, object?> { ["sessionId"] = id, ["code"] = "math.sqrt(r)" });
        var written = await client.CallToolAsync("python_session_write_file", new Dictionary<string, object?> { ["sessionId"] = id, ["path"] = "notes.txt", ["text"] = "hello" });
        var read = await client.CallToolAsync("python_session_eval", new Dictionary<string, object?> { ["sessionId"] = id, ["code"] = "(SESSION_DIR / 'notes.txt').read_text()" });
        await client.CallToolAsync("python_session_run", new Dictionary<string, object?> { ["sessionId"] = id, ["code"] = "(SESSION_DIR / 'out.txt').write_text('bye')" });
        var file = await client.CallToolAsync("python_session_read_file", new Dictionary<string, object?> { ["sessionId"] = id, ["path"] = "out.txt" });
        var deleted = await client.CallToolAsync("python_session_delete", new Dictionary<string, object?> { ["sessionId"] = id });
        var gone = await client.CallToolAsync("python_session_eval", new Dictionary<string, object?> { ["sessionId"] = id, ["code"] = "r" });

        Assert.NotEqual(true, run.IsError);
        Assert.Equal(5.0, eval.StructuredContent!.Value.GetProperty("value").GetDouble());
        Assert.NotEqual(true, written.IsError);
        Assert.Equal("hello", read.StructuredContent!.Value.Str("value"));
        Assert.Equal("bye", file.Text());
        Assert.NotEqual(true, deleted.IsError);
        Assert.True(gone.IsError);
        Assert.Equal("urn:sidewinder:problem:session-not-found", gone.StructuredContent!.Value.Str("type"));
    }

    [Fact]
    public async Task SessionWriteFile_TraversingPath_IsAToolErrorAndWritesNothing()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);
        var id = (await client.CallToolAsync("python_session_create", new Dictionary<string, object?>())).StructuredContent!.Value.Str("id");

        var written = await client.CallToolAsync("python_session_write_file", new Dictionary<string, object?> { ["sessionId"] = id, ["path"] = "../escape.txt", ["text"] = "x" });
        var listed = await client.CallToolAsync("python_session_read_file", new Dictionary<string, object?> { ["sessionId"] = id });
        var missing = await client.CallToolAsync("python_session_read_file", new Dictionary<string, object?> { ["sessionId"] = id, ["path"] = "nope.txt" });

        Assert.True(written.IsError);
        Assert.True(missing.IsError);
        Assert.Equal("urn:sidewinder:problem:file-not-found", missing.StructuredContent!.Value.Str("type"));
        Assert.Empty(listed.StructuredContent!.Value.GetProperty("files").EnumerateArray());
        await client.CallToolAsync("python_session_delete", new Dictionary<string, object?> { ["sessionId"] = id });
    }

    [Fact]
    public async Task SessionReadFile_OfALargeFileOrAFifo_ReturnsAMarkedMebibyteOrAToolError()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);
        var id = (await client.CallToolAsync("python_session_create", new Dictionary<string, object?>())).StructuredContent!.Value.Str("id");
        await client.CallToolAsync("python_session_run", new Dictionary<string, object?>
        {
            ["sessionId"] = id,
            ["code"] = "import os\n(SESSION_DIR / 'big.txt').write_text('a' * (3 * 1024 * 1024))\nos.mkfifo(SESSION_DIR / 'pipe')",
        });

        var big = await client.CallToolAsync("python_session_read_file", new Dictionary<string, object?> { ["sessionId"] = id, ["path"] = "big.txt" });
        var pipe = client.CallToolAsync("python_session_read_file", new Dictionary<string, object?> { ["sessionId"] = id, ["path"] = "pipe" }).AsTask();
        var pipeAnswered = await Task.WhenAny(pipe, Task.Delay(TimeSpan.FromSeconds(30))) == pipe;
        await client.CallToolAsync("python_session_delete", new Dictionary<string, object?> { ["sessionId"] = id });

        var text = big.Text();
        Assert.StartsWith(new string('a', 1024 * 1024) + "\n[truncated: the file has 3145728 bytes", text, StringComparison.Ordinal);
        Assert.True(text.Length < 1024 * 1024 + 200);
        Assert.True(pipeAnswered, "reading a FIFO waited for a writer");
        Assert.True((await pipe).IsError);
    }
}
