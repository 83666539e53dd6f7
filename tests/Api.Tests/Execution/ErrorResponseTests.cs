using System.Net;

namespace Sidewinder.Api.Tests.Execution;

[Collection(ApiTests.Name)]
public sealed class ErrorResponseTests(DefaultApi api)
{
    private readonly HttpClient _client = api.Factory.CreateClient();

    [Fact]
    public async Task Eval_SyntaxError_Returns400WithLineAndOffset()
    {
        var response = await _client.PostJsonAsync("/eval", new { code = "sum(range(10)" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:sidewinder:problem:syntax-error", body.Str("type"));
        Assert.Equal("error", body.Str("outcome"));
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        var error = body.GetProperty("error");
        Assert.Equal("SyntaxError", error.Str("type"));
        Assert.Equal(1, error.GetProperty("line").GetInt32());
        Assert.True(error.GetProperty("offset").GetInt32() >= 1);
        Assert.Equal("sum(range(10)", error.Str("text"));
    }

    [Fact]
    public async Task Run_SyntaxErrorOnLaterLine_ReportsThatLine()
    {
        var response = await _client.PostJsonAsync("/run", new { code = "x = 1\ny = 2\nif x\n    pass" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(3, body.GetProperty("error").GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task Run_SyntaxErrorRaisedAtRunTime_IsA422NotA400()
    {
        var response = await _client.PostJsonAsync("/run", new { code = "compile('(', 'inner', 'eval')" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("SyntaxError", body.GetProperty("error").Str("type"));
    }

    [Fact]
    public async Task Run_ExceptionAfterPrinting_Returns422WithTracebackAndOutput()
    {
        var response = await _client.PostJsonAsync("/run", new { code = "print('before')\ndef f():\n    return 1 / 0\nf()" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:python-error", body.Str("type"));
        Assert.Equal("error", body.Str("outcome"));
        Assert.Equal("before\n", body.Str("stdout"));
        var error = body.GetProperty("error");
        Assert.Equal("ZeroDivisionError", error.Str("type"));
        Assert.Equal("division by zero", error.Str("message"));
        var frames = error.GetProperty("frames").EnumerateArray().ToList();
        Assert.Equal(["<module>", "f"], frames.Select(f => f.Str("function")));
        Assert.Equal("return 1 / 0", frames[1].Str("source"));
        Assert.Contains("ZeroDivisionError", error.Str("traceback"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_FunctionRaises_Returns422WithScriptFrame()
    {
        var response = await _client.PostJsonAsync("/call", new { module = "mathx", function = "fail", args = new[] { "bad input" } });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("ValueError", body.GetProperty("error").Str("type"));
        Assert.Equal("bad input", body.GetProperty("error").Str("message"));
        Assert.Contains(body.GetProperty("error").GetProperty("frames").EnumerateArray(), f => f.Str("file").EndsWith("mathx.py", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_PastDeadline_Returns504WithPartialOutput()
    {
        var response = await _client.PostJsonAsync("/run", new { code = "print('started', flush=True)\nwhile True:\n    pass", timeoutMs = 3000 }); // room for the print on a starved machine

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:timeout", body.Str("type"));
        Assert.Equal("timeout", body.Str("outcome"));
        Assert.Equal("sidewinder.Timeout", body.GetProperty("error").Str("type"));
        Assert.Equal("started\n", body.Str("stdout"));
    }

    [Fact]
    public async Task Run_StuckInNativeCodePastDeadline_Returns504()
    {
        var response = await _client.PostJsonAsync("/run", new { code = "import time\nprint('sleeping')\ntime.sleep(30)", timeoutMs = 3000 });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("sleeping\n", body.Str("stdout"));
    }

    [Fact]
    public async Task Run_SystemExit_Returns422AndTheServiceKeepsWorking()
    {
        var exit = await _client.PostJsonAsync("/run", new { code = "import sys\nsys.exit(3)" });
        var after = await _client.PostJsonAsync("/eval", new { code = "1 + 1" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, exit.StatusCode);
        Assert.Equal("SystemExit", (await exit.JsonAsync()).GetProperty("error").Str("type"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData("{\"code\": ", "not valid")]
    [InlineData("{\"cod\": \"1\"}", "code")]
    public async Task Eval_MalformedBody_Returns400ProblemThatSaysWhy(string json, string expected)
    {
        var response = await _client.PostRawAsync("/eval", json);

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", body.Str("type"));
        Assert.Equal("invalid", body.Str("outcome"));
        Assert.Contains(expected, body.Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"code\": 5}", "'code' cannot be read")]
    [InlineData("{\"timeoutMs\": 5}", "required fields are missing: 'code'.")]
    [InlineData("{\"code\": \"1\", \"timeoutMs\": 1e30}", "'timeoutMs' cannot be read")]
    [InlineData("{\"code\": \"1\", \"timeoutMs\": \"soon\"}", "'timeoutMs' cannot be read")]
    [InlineData("{\"code\": \"1\", \"variables\": []}", "'variables' cannot be read")]
    [InlineData("{\"code\": \"\\xff\"}", "'code' cannot be read: Cannot transcode invalid UTF-8")]
    [InlineData("[{\"code\": \"1\"}]", "The body must be a JSON object")]
    [InlineData("\"1 + 1\"", "The body must be a JSON object")]
    public async Task Eval_WrongValueForAField_NamesTheFieldAndNoInternalType(string json, string expected)
    {
        // The four characters \xff in the data stand for the byte 0xFF (invalid UTF-8) in the body.
        var bytes = System.Text.Encoding.UTF8.GetBytes(json.Replace("\\xff", "\u0001", StringComparison.Ordinal));
        bytes = [.. bytes.Select(b => b == 0x01 ? (byte)0xFF : b)];
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        var response = await _client.PostAsync("/eval", content);

        var detail = (await response.JsonAsync()).Str("detail");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Sidewinder.", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/eval", "{\"code\": \"1\", \"timeout\": 5}", "'timeout' is not a field of this endpoint (its fields: code, timeoutMs, variables)")]
    [InlineData("/run", "{\"cod\": \"1\"}", "'cod' is not a field of this endpoint (its fields: code, returnVariables, timeoutMs, variables)")]
    [InlineData("/call", "{\"module\": \"m\", \"function\": \"f\", \"kwarg\": {}}", "'kwarg' is not a field of this endpoint (its fields: args, function, kwargs, module, timeoutMs)")]
    [InlineData("/sessions", "{\"idleTimeout\": 1000}", "'idleTimeout' is not a field of this endpoint (its fields: idleTimeoutMs, isolation, variables)")]
    [InlineData("/eval", "{\"code\": \"1\", \"code\": \"2\"}", "'code' appears twice in one object")]
    [InlineData("/eval", "{\"code\": \"x\", \"variables\": {\"x\": 1, \"x\": 2}}", "'x' appears twice in one object")]
    [InlineData("/call", "{\"module\": \"m\", \"function\": \"f\", \"kwargs\": {\"a\": 1, \"a\": 2}}", "'a' appears twice in one object")]
    [InlineData("/eval", "{\"code\": \"x\", \"variables\": {\"x\": {\"k\": 1, \"k\": 2}}}", "'k' appears twice in one object")]
    [InlineData("/eval", "{\"code\": \"x\", \"variables\": {\"a b\": 1, \"a b\": 2}}", "'a b' appears twice in one object")]
    public async Task Body_WithAnUnknownOrRepeatedField_Is400NamingIt(string path, string json, string expected)
    {
        var response = await _client.PostRawAsync(path, json);

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", body.Str("type"));
        Assert.Contains(expected, body.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain("Sidewinder.", body.Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/eval", "{\"code\": \"   \"}", "'code' must not be empty")]
    [InlineData("/run", "{\"code\": \"\"}", "'code' must not be empty")]
    [InlineData("/eval", "{\"code\": \"1\", \"timeoutMs\": 0}", "'timeoutMs' must be positive")]
    [InlineData("/call", "{\"module\": \"\", \"function\": \"f\"}", "'module' must not be empty")]
    [InlineData("/call", "{\"module\": \"mathx\", \"function\": \"_private\"}", "leading underscore are private")]
    [InlineData("/call", "{\"module\": \"os\", \"function\": \"path.join\"}", "'function': 'join'")]
    [InlineData("/call", "{\"module\": \"os\", \"function\": \"1x\"}", "use a Python identifier")]
    [InlineData("/eval", "{\"code\": \"1\", \"variables\": {\"__builtins__\": 1}}", "not a valid variable name")]
    public async Task Execution_InvalidField_Returns400WithTheReason(string path, string json, string expected)
    {
        var response = await _client.PostRawAsync(path, json);

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid", body.Str("outcome"));
        Assert.Contains(expected, body.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_WrongContentType_Returns415Problem()
    {
        var response = await _client.PostRawAsync("/eval", "code=1", "text/plain");

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("invalid", body.Str("outcome"));
        Assert.Equal("urn:sidewinder:problem:unsupported-media-type", body.Str("type"));
        Assert.Contains("Content-Type: application/json", body.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("was 'text/plain", body.Str("detail"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    public async Task Eval_WithAQuotedCharset_IsRead(string contentType)
    {
        var response = await _client.PostAsync("/eval", RawContent("{\"code\": \"1 + 1\"}", contentType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("value").GetInt32());
    }

    [Theory]
    [InlineData("/eval", "application/json; charset=klingon", "klingon")]
    [InlineData("/eval", "application/json; charset=\"klingon\"", "klingon")]
    [InlineData("/sessions", "application/json; charset=x-unknown", "x-unknown")]
    public async Task Body_InACharsetTheServiceDoesNotKnow_Is415NamingIt(string path, string contentType, string charset)
    {
        var response = await _client.PostAsync(path, RawContent("{\"code\": \"1\"}", contentType));

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:unsupported-media-type", body.Str("type"));
        Assert.Contains($"charset '{charset}' is not an encoding this service reads", body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJsonAsync("/eval", new { code = "1" })).StatusCode);
    }

    [Theory]
    [InlineData("/eval", "gzip")]
    [InlineData("/sessions", "br")]
    public async Task Body_WithAContentEncoding_Is415NamingIt(string path, string encoding)
    {
        var content = RawContent("{\"code\": \"1\"}", "application/json");
        content.Headers.ContentEncoding.Add(encoding);

        var response = await _client.PostAsync(path, content);

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:unsupported-media-type", body.Str("type"));
        Assert.Contains($"Content-Encoding '{encoding}' is not supported", body.Str("detail"), StringComparison.Ordinal);
    }

    /// <summary>A body with the Content-Type header exactly as given (no validation, no charset added).</summary>
    private static ByteArrayContent RawContent(string json, string contentType)
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        return content;
    }

    [Fact]
    public async Task UnknownPath_Returns404Problem()
    {
        var response = await _client.PostJsonAsync("/exec", new { code = "1" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
