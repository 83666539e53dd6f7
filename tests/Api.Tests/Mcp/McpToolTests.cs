using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Sidewinder.Api.Tests.Mcp;

[Collection(ApiTests.Name)]
public sealed class McpToolTests(DefaultApi api)
{
    [Fact]
    public async Task ListTools_Default_ListsTheStatelessAndSessionToolsWithTheirArguments()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["python_call", "python_eval", "python_run", "python_session_create", "python_session_delete", "python_session_eval",
                "python_session_interrupt", "python_session_read_file", "python_session_run", "python_session_write_file"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var run = tools.Single(t => t.Name == "python_run").ProtocolTool.InputSchema;
        Assert.Equal(["code", "returnVariables", "timeoutMs", "variables"], run.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["code"], run.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var call = tools.Single(t => t.Name == "python_call").ProtocolTool.InputSchema;
        Assert.Equal(["args", "function", "kwargs", "module", "timeoutMs"], call.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["function", "module"], call.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order());
    }

    [Fact]
    public async Task PythonEval_Expression_ReturnsTheHttpResponseJson()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_eval", new Dictionary<string, object?>
        {
            ["code"] = "sum(x * x for x in values)",
            ["variables"] = new { values = new[] { 1, 2, 3 } },
        });

        Assert.NotEqual(true, result.IsError);
        var body = JsonDocument.Parse(result.Text()).RootElement;
        Assert.Equal(14, body.GetProperty("value").GetInt32());
        Assert.Equal("int", body.Str("valueType"));
        Assert.Equal("ok", body.Str("outcome"));
        Assert.True(body.GetProperty("timings").TryGetProperty("executionMs", out _));
        Assert.Equal(14, result.StructuredContent!.Value.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task PythonRun_Cell_ReturnsStdoutValueAndVariables()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_run", new Dictionary<string, object?>
        {
            ["code"] = "r = n * 2\nprint('r is', r)\nr + 1",
            ["variables"] = new { n = 20 },
            ["returnVariables"] = new[] { "r", "missing" },
        });

        Assert.NotEqual(true, result.IsError);
        var body = result.StructuredContent!.Value;
        Assert.Equal("r is 40\n", body.Str("stdout"));
        Assert.Equal(41, body.GetProperty("value").GetInt32());
        Assert.Equal(40, body.GetProperty("variables").GetProperty("r").GetInt32());
        Assert.False(body.GetProperty("variables").TryGetProperty("missing", out _));
    }

    [Fact]
    public async Task PythonCall_ScriptFunction_ReturnsItsValue()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_call", new Dictionary<string, object?>
        {
            ["module"] = "mathx",
            ["function"] = "scale",
            ["args"] = new object[] { new[] { 1, 2 } },
            ["kwargs"] = new { factor = 3 },
        });

        Assert.NotEqual(true, result.IsError);
        Assert.Equal([3, 6], result.StructuredContent!.Value.GetProperty("value").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task PythonRun_Exception_IsAToolErrorWithTheTracebackAndOutput()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_run", new Dictionary<string, object?> { ["code"] = "print('before')\n1 / 0" });

        Assert.True(result.IsError);
        var text = result.Text();
        Assert.Contains("ZeroDivisionError: division by zero", text, StringComparison.Ordinal);
        Assert.Contains("Traceback (most recent call last)", text, StringComparison.Ordinal);
        Assert.Contains("--- stdout ---\nbefore", text, StringComparison.Ordinal);
        Assert.Equal("urn:sidewinder:problem:python-error", result.StructuredContent!.Value.Str("type"));
    }

    [Fact]
    public async Task PythonCall_Exception_IsAToolErrorWithTheScriptFrame()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_call", new Dictionary<string, object?>
        {
            ["module"] = "mathx", ["function"] = "fail", ["args"] = new[] { "no good" },
        });

        Assert.True(result.IsError);
        Assert.Contains("ValueError: no good", result.Text(), StringComparison.Ordinal);
        Assert.Contains("mathx.py", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonRun_SyntaxError_IsAToolErrorWithTheLocation()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_run", new Dictionary<string, object?> { ["code"] = "x = 1\ndef f(:\n    pass" });

        Assert.True(result.IsError);
        Assert.Contains("SyntaxError", result.Text(), StringComparison.Ordinal);
        Assert.Contains("line 2", result.Text(), StringComparison.Ordinal);
        Assert.Equal("urn:sidewinder:problem:syntax-error", result.StructuredContent!.Value.Str("type"));
    }

    [Fact]
    public async Task PythonRun_PastItsDeadline_IsAToolErrorWithTheOutputSoFar()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_run", new Dictionary<string, object?>
        {
            ["code"] = "print('started', flush=True)\nwhile True:\n    pass",
            ["timeoutMs"] = 3000, // room for the print on a starved machine
        });

        Assert.True(result.IsError);
        Assert.Equal("timeout", result.StructuredContent!.Value.Str("outcome"));
        Assert.Contains("--- stdout ---\nstarted", result.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("python_eval", "{\"code\": \"  \"}", "'code' must not be empty")]
    [InlineData("python_eval", "{\"code\": \"1\", \"timeoutMs\": 0}", "'timeoutMs' must be positive")]
    [InlineData("python_call", "{\"module\": \"mathx\", \"function\": \"\"}", "'function' must not be empty")]
    [InlineData("python_eval", "{\"code\": \"1\", \"variables\": {\"__x\": 1}}", "__x")]
    public async Task Tool_InvalidArguments_IsAToolErrorSayingWhy(string tool, string arguments, string expected)
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);
        var parsed = JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments)!;

        var result = await client.CallToolAsync(tool, parsed);

        Assert.True(result.IsError);
        Assert.Contains(expected, result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonEval_MissingRequiredArgument_IsRefused()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var refused = await CallOrErrorAsync(client, "python_eval", new Dictionary<string, object?> { ["timeoutMs"] = 100 });

        Assert.Contains("'code' is required", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonEval_WrongArgumentType_IsRefused()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var refused = await CallOrErrorAsync(client, "python_eval", new Dictionary<string, object?> { ["code"] = "1", ["timeoutMs"] = "soon" });

        Assert.Contains("'timeoutMs' must be integer or null (is string)", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonEval_UnknownArgument_IsRefusedNamingTheKnownOnes()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var refused = await CallOrErrorAsync(client, "python_eval", new Dictionary<string, object?> { ["code"] = "1", ["timeout"] = 5 });

        Assert.Contains("'timeout' is not an argument of this tool", refused, StringComparison.Ordinal);
        Assert.Contains("timeoutMs", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonEval_Completed_LogsTheRequestLineWithJobAndOutcome()
    {
        await using var client = await McpConnections.ConnectAsync(api.Factory);

        var result = await client.CallToolAsync("python_eval", new Dictionary<string, object?> { ["code"] = "'secret' * 2" });

        var jobId = result.StructuredContent!.Value.Str("jobId");
        // The request line is written when the response has completed, which can be after the client read it.
        bool Logged(LogEntry e) => e.EventName == "RequestCompleted" && Equals(e.Properties["JobId"], jobId);
        await Wait.UntilAsync(() => api.Factory.Logs.Entries.Any(Logged), "the request line");
        var entry = Assert.Single(api.Factory.Logs.Entries, Logged);
        Assert.Equal("/mcp", entry.Properties["Path"]);
        Assert.Equal("ok", entry.Properties["Outcome"]);
        Assert.DoesNotContain("secret", entry.Message, StringComparison.Ordinal);
    }

    /// <summary>A tool error's text, or the protocol error's message: the SDK may refuse bad arguments either way.</summary>
    private static async Task<string> CallOrErrorAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        try
        {
            var result = await client.CallToolAsync(tool, arguments);
            Assert.True(result.IsError, "the call succeeded: " + result.Text());
            return result.Text();
        }
        catch (McpException ex)
        {
            return ex.Message;
        }
    }
}
