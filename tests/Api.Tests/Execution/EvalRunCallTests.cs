using System.Net;
using System.Text.Json;

namespace Sidewinder.Api.Tests.Execution;

[Collection(ApiTests.Name)]
public sealed class EvalRunCallTests(DefaultApi api)
{
    private readonly HttpClient _client = api.Factory.CreateClient();

    [Fact]
    public async Task Eval_SumRange_Returns200WithValueTypeAndTimings()
    {
        var response = await _client.PostJsonAsync("/eval", new { code = "sum(range(10))" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body.Str("outcome"));
        Assert.Equal(45, body.GetProperty("value").GetInt32());
        Assert.Equal("int", body.Str("valueType"));
        Assert.Equal(32, body.Str("jobId").Length);
        Assert.True(body.GetProperty("timings").GetProperty("executionMs").GetDouble() > 0);
        Assert.True(body.GetProperty("timings").GetProperty("queueWaitMs").GetDouble() >= 0);
    }

    [Fact]
    public async Task Eval_WithVariables_BindsThemAsGlobals()
    {
        var response = await _client.PostJsonAsync("/eval", new
        {
            code = "{k: v * factor for k, v in prices.items()}",
            variables = new { prices = new { apple = 2, pear = 3 }, factor = 10 },
        });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("dict", body.Str("valueType"));
        Assert.Equal(20, body.GetProperty("value").GetProperty("apple").GetInt32());
        Assert.Equal(30, body.GetProperty("value").GetProperty("pear").GetInt32());
    }

    [Fact]
    public async Task Eval_GlobalsFromAnEarlierRequest_AreNotVisible()
    {
        await _client.PostJsonAsync("/run", new { code = "leaked = 1" });

        var response = await _client.PostJsonAsync("/eval", new { code = "'leaked' in globals()" });

        var body = await response.JsonAsync();
        Assert.False(body.GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task Run_PrintsAndEndsWithExpression_ReturnsStdoutValueAndRequestedVariables()
    {
        var response = await _client.PostJsonAsync("/run", new
        {
            code = "import sys\nfor i in range(3):\n    print('line', i)\nprint('oops', file=sys.stderr)\ntotal = 42\ntotal * 2",
            returnVariables = new[] { "total", "missing" },
        });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("line 0\nline 1\nline 2\n", body.Str("stdout"));
        Assert.Equal("oops\n", body.Str("stderr"));
        Assert.False(body.GetProperty("stdoutTruncated").GetBoolean());
        Assert.Equal(84, body.GetProperty("value").GetInt32());
        var variables = body.GetProperty("variables");
        Assert.Equal(42, variables.GetProperty("total").GetInt32());
        Assert.False(variables.TryGetProperty("missing", out _));
    }

    [Fact]
    public async Task Run_EndingWithStatement_HasNoValue()
    {
        var response = await _client.PostJsonAsync("/run", new { code = "x = 1" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.TryGetProperty("value", out _));
        Assert.False(body.TryGetProperty("valueType", out _));
    }

    [Fact]
    public async Task Call_ScriptFunctionWithArgsAndKwargs_ReturnsItsValue()
    {
        var response = await _client.PostJsonAsync("/call", new
        {
            module = "mathx",
            function = "scale",
            args = new object[] { new[] { 1, 2, 3 } },
            kwargs = new { factor = 3 },
        });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("list", body.Str("valueType"));
        Assert.Equal([3, 6, 9], body.GetProperty("value").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public async Task Call_FunctionThatPrintsAndLogs_ReturnsOutputAndForwardsTheLogRecord()
    {
        var response = await _client.PostJsonAsync("/call", new { module = "mathx", function = "chatty", args = new[] { "Ada" } });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from Ada\n", body.Str("stdout"));
        var jobId = body.Str("jobId");
        Assert.Contains(api.Factory.Logs.Entries, e => e.Message.Contains("chatty called for Ada", StringComparison.Ordinal)
            && e.Message.Contains(jobId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_BundledExampleScript_IsNotUsedWhenAnotherDirectoryIsConfigured()
    {
        var response = await _client.PostJsonAsync("/call", new { module = "example", function = "greet", args = new[] { "Ada" } });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("ModuleNotFoundError", body.GetProperty("error").Str("type"));
    }

    [Fact]
    public async Task Call_ScriptsOnly_ScriptFunctionRunsAndInstalledModuleIs400()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:CallModules"] = "Scripts" });
        var client = factory.CreateClient();

        var script = await client.PostJsonAsync("/call", new { module = "mathx", function = "add", args = new[] { 2, 3 } });
        var installed = await client.PostJsonAsync("/call", new { module = "builtins", function = "exec", args = new[] { "print(1)" } });

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(5, (await script.JsonAsync()).GetProperty("value").GetInt32());
        var body = await installed.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, installed.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", body.Str("type"));
        Assert.Equal("sidewinder.InvalidJob", body.GetProperty("error").Str("type"));
        Assert.Contains("Workers:CallModules is Scripts", body.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_ResultNotJsonConvertible_Returns422ConversionProblem()
    {
        var response = await _client.PostJsonAsync("/eval", new { code = "(lambda l: (l.append(l), l)[1])([])" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:conversion-error", body.Str("type"));
        Assert.Equal("sidewinder.ConversionError", body.GetProperty("error").Str("type"));
    }

    [Fact]
    public async Task Eval_ManyParallelRequests_EachSeesOnlyItsOwnOutput()
    {
        var requests = Enumerable.Range(0, 48).Select(async i =>
        {
            var marker = $"marker-{i}-{Guid.NewGuid():N}";
            var response = await _client.PostJsonAsync("/run", new
            {
                code = "import time\nfor _ in range(5):\n    print(m)\n    time.sleep(0.001)\nlen(m)",
                variables = new { m = marker },
            });
            var body = await response.JsonAsync();
            return (marker, response.StatusCode, body);
        });

        foreach (var (marker, status, body) in await Task.WhenAll(requests))
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(string.Concat(Enumerable.Repeat(marker + "\n", 5)), body.Str("stdout"));
            Assert.Equal(marker.Length, body.GetProperty("value").GetInt32());
        }
    }

    [Fact]
    public async Task Eval_ResponseContentType_IsJson()
    {
        var response = await _client.PostJsonAsync("/eval", new { code = "'x'" });

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.String, (await response.JsonAsync()).GetProperty("value").ValueKind);
    }
}
