using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sidewinder.Workers;

namespace Sidewinder.Api.Tests.Execution;

/// <summary>Hostile input and hostile code through the HTTP API: each gets its documented answer, and the service,
/// its workers and later requests are unaffected.</summary>
[Collection(ApiTests.Name)]
public sealed class HostileInputTests : IDisposable
{
    private readonly ApiFactory _factory = new(new Dictionary<string, string?> { ["Workers:WorkerCount"] = "2" });
    private readonly HttpClient _client;

    public HostileInputTests() => _client = _factory.CreateClient();

    public void Dispose() => _factory.Dispose();

    // Raw JSON bodies: the C# strings hold the JSON text, escapes included.
    [Theory]
    [InlineData("/eval", """{"code": "'\\ud800' + 'x'"}""")]
    [InlineData("/eval", """{"code": "['\\udfff', {'k': '\\ud800'}]"}""")]
    [InlineData("/eval", """{"code": "{'\\ud800': 1}"}""")]
    [InlineData("/run", """{"code": "s = '\\ud800'\nprint(s)\ns", "returnVariables": ["s"]}""")]
    public async Task Execute_LoneSurrogateInResult_IsReplacementCharacterNot500(string path, string body)
    {
        var response = await _client.PostRawAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // U+FFFD written as the character or escaped: both are what docs/json-mapping.md promises.
        Assert.True(text.Contains('\uFFFD', StringComparison.Ordinal) || text.Contains("\\uFFFD", StringComparison.OrdinalIgnoreCase), text);
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("/eval", """{"code": "1\u0000+1/0"}""")]
    [InlineData("/run", """{"code": "x = 1\u0000\nx"}""")]
    [InlineData("/call", """{"module": "os\u0000", "function": "getcwd"}""")]
    [InlineData("/call", """{"module": "os\n", "function": "getcwd"}""")]
    [InlineData("/call", """{"module": "os", "function": "getcwd\n"}""")]
    [InlineData("/eval", """{"code": "x", "variables": {"x\n": 1}}""")]
    [InlineData("/eval", """{"code": "1", "timeoutMs": "100"}""")]
    [InlineData("/eval", """{"code": "1", "timeoutMs": 1e400}""")]
    [InlineData("/eval", """{"code": 1}""")]
    [InlineData("/eval", """{"code": "1", "variables": []}""")]
    [InlineData("/run", """{"code": "1", "returnVariables": "x"}""")]
    [InlineData("/call", """{"module": "os", "function": "getcwd", "args": {}}""")]
    public async Task Execute_InvalidInput_Is400InvalidRequestAndNothingRuns(string path, string body)
    {
        var response = await _client.PostRawAsync(path, body);
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", problem.Str("type"));
        Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")), problem.ToString());
        Assert.DoesNotContain("Service", problem.Str("detail"), StringComparison.Ordinal);
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("{\"code\": \"x\", \"variables\": {\"x\": \"\xFF\"}}")]
    [InlineData("{\"code\": \"\xFF\"}")]
    public async Task Eval_InvalidUtf8_Is400WhereverItIs(string latin1Body)
    {
        // Latin-1 maps each char to one byte, so \xFF becomes the byte 0xFF: never valid UTF-8.
        var content = new ByteArrayContent(Encoding.Latin1.GetBytes(latin1Body));
        content.Headers.ContentType = new("application/json");

        var response = await _client.PostAsync("/eval", content);
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", problem.Str("type"));
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Eval_NonAsciiVariableName_IsAccepted()
    {
        var response = await _client.PostRawAsync("/eval", """{"code": "é + 1", "variables": {"é": 1}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Eval_VariablesNestedDeeperThanTheFrameworkDefault_AreAccepted()
    {
        const int depth = 100; // under the documented 128, over ASP.NET Core's default reader limit of 64
        var value = new string('[', depth) + new string(']', depth);
        var response = await _client.PostRawAsync("/eval", "{\"code\": \"len(v)\", \"variables\": {\"v\": " + value + "}}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Post_EmptyBody_SaysTheBodyIsMissing()
    {
        var response = await _client.PostAsync("/eval", new StringContent("", Encoding.UTF8, "application/json"));
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("Service", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WrongMediaType_HasOneProblemType()
    {
        var plain = await _client.PostAsync("/eval", new StringContent("{\"code\": \"1\"}", Encoding.UTF8, "text/plain"));
        var none = await _client.PostAsync("/eval", new ByteArrayContent("{\"code\": \"1\"}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, none.StatusCode);
        Assert.Equal((await plain.JsonAsync()).Str("type"), (await none.JsonAsync()).Str("type"));
    }

    [Theory]
    [InlineData("import sys\nsys.setrecursionlimit(10**6)\nl = []\nfor _ in range(10**6):\n    l = [l]\nrepr(l)")]
    [InlineData("def f(n):\n    return f(n + 1)\nf(0)")]
    [InlineData("x = []\nx.append(x)\nx")]
    [InlineData("class Bad:\n    def __repr__(self): raise ValueError('repr')\n    def __str__(self): raise ValueError('str')\n    def __eq__(self, o): raise ValueError('eq')\n    def __hash__(self): raise ValueError('hash')\nBad()")]
    [InlineData("10 ** 100000")]
    [InlineData("{1: 'a', (2, 3): 'b', None: 'c'}")]
    [InlineData("[float('nan'), {'x': float('inf')}, -float('inf')]")]
    [InlineData("import sys, io\nsys.stdout = io.StringIO()\nsys.stdout.close()\nprint('gone')")]
    [InlineData("input()")]
    [InlineData("import builtins\nbuiltins.len = None\nbuiltins.print = None")]
    [InlineData("import sys\nsys.settrace(lambda *a: print('TRACE'))")]
    [InlineData("while True:\n    try:\n        pass\n    finally:\n        pass")]
    [InlineData("import threading, time\ndef spin():\n    for _ in range(20):\n        print('x')\n        time.sleep(0.01)\nthreading.Thread(target=spin, daemon=True).start()")]
    [InlineData("print('x' * (10 ** 8))")]
    public async Task Run_HostileCode_GetsADocumentedAnswerAndLaterRequestsAreUnaffected(string code)
    {
        var response = await _client.PostJsonAsync("/run", new { code, timeoutMs = 3000 });
        var body = await response.JsonAsync();

        Assert.Contains((int)response.StatusCode, new[] { 200, 400, 422, 504 });
        Assert.True(body.TryGetProperty("outcome", out _), body.ToString());
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task Auth_BearerAndApiKeyThatDisagree_Are401()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = "right-key-123456",
        });
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/eval") { Content = new StringContent("{\"code\": \"1\"}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", "right-key-123456");
        request.Headers.Add("X-Api-Key", "wrong-key");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Every worker is back, no job is stuck, and another client's plain request works, with no stray output.</summary>
    private async Task AssertHealthyAsync()
    {
        var pool = _factory.Services.GetRequiredService<WorkerPool>();
        await Poll.UntilAsync(() => pool.Status.BusyWorkers == 0);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => _client.PostJsonAsync("/run", new { code = $"print({i})\nlen([1, 2])" })));
        for (var i = 0; i < responses.Length; i++)
        {
            var body = await responses[i].JsonAsync();
            Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
            Assert.Equal(2, body.GetProperty("value").GetInt32());
            Assert.Equal($"{i}\n", body.Str("stdout"));
        }
        Assert.Equal(2, pool.Status.Workers);
        var ready = await _client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
