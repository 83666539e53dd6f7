using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Sidewinder.Tests;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Tests.Sessions;

[Collection(ApiTests.Name)]
public sealed class SessionLifecycleTests(DefaultApi api)
{
    private readonly HttpClient _client = api.Factory.CreateClient();

    [Fact]
    public async Task Create_Returns201WithLocationAndUnguessableId()
    {
        var response = await _client.PostJsonAsync("/sessions", new { idleTimeoutMs = 60_000 });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = body.Str("id");
        Assert.Equal("/sessions/" + id, response.Headers.Location?.ToString());
        Assert.Equal(16, Convert.FromBase64String(id.Replace('-', '+').Replace('_', '/') + "==").Length);
        Assert.Equal(60_000, body.GetProperty("idleTimeoutMs").GetInt64());
        Assert.Equal("idle", body.Str("state"));
    }

    [Fact]
    public async Task Create_IdleTimeoutAboveMaximum_IsCapped()
    {
        var response = await _client.PostJsonAsync("/sessions", new { idleTimeoutMs = 365L * 24 * 3600 * 1000 });

        var body = await response.JsonAsync();
        Assert.Equal((long)new PythonSessionOptions().MaxIdleTimeout.TotalMilliseconds, body.GetProperty("idleTimeoutMs").GetInt64());
    }

    [Fact]
    public async Task Get_AfterRun_ListsNamesAndTypesButNoValues()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "import math\nsecret = 'hunter2'\nclass Point: pass\np = Point()");

        var body = await _client.SessionAsync(id);

        var variables = body.GetProperty("variables").EnumerateArray().ToDictionary(v => v.Str("name"), v => v.Str("type"));
        Assert.Equal("module", variables["math"]);
        Assert.Equal("str", variables["secret"]);
        Assert.Equal("__main__.Point", variables["p"]);
        Assert.Equal(1, body.GetProperty("executions").GetInt32());
        Assert.DoesNotContain("hunter2", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ShowsCreatedSession_AndDeleteRemovesIt()
    {
        var id = await _client.CreateSessionAsync();
        var listed = (await (await _client.GetAsync("/sessions")).JsonAsync()).GetProperty("sessions").EnumerateArray().Select(s => s.Str("id"));
        Assert.Contains(id, listed);

        var deleted = await _client.DeleteAsync($"/sessions/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var after = (await (await _client.GetAsync("/sessions")).JsonAsync()).GetProperty("sessions").EnumerateArray().Select(s => s.Str("id"));
        Assert.DoesNotContain(id, after);
        var gone = await _client.PostJsonAsync($"/sessions/{id}/eval", new { code = "1" });
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("urn:sidewinder:problem:session-not-found", (await gone.JsonAsync()).Str("type"));
    }

    [Fact]
    public async Task UnknownId_Returns404Problem()
    {
        var response = await _client.GetAsync("/sessions/AAAAAAAAAAAAAAAAAAAAAA");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:session-not-found", (await response.JsonAsync()).Str("type"));
    }

    [Fact]
    public async Task Delete_DuringExecution_InterruptsItAndRemovesDirectory()
    {
        var id = await _client.CreateSessionAsync();
        var directory = (await _client.RunOkAsync(id, "str(SESSION_DIR)")).GetProperty("value").GetString()!;
        using var started = new FileGate();
        var running = _client.PostJsonAsync($"/sessions/{id}/run", new { code = "print('working')\n" + started.OpenCode + "while True:\n    pass" });
        await Poll.UntilAsync(() => started.IsOpen);

        var deleted = await _client.DeleteAsync($"/sessions/{id}");
        var response = await running;

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("deleted", body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("working\n", body.Str("stdout"));
        await Poll.UntilAsync(() => !Directory.Exists(directory));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task Delete_WithQueuedRequest_AnswersItWith409()
    {
        var id = await _client.CreateSessionAsync();
        using var gate = new FileGate();
        var first = _client.PostJsonAsync($"/sessions/{id}/run", new { code = gate.WaitCode });
        await _client.UntilStateAsync(id, "busy");
        var queued = _client.PostJsonAsync($"/sessions/{id}/run", new { code = "1" });
        await _client.UntilStateAsync(id, "busy", queued: 1);

        await _client.DeleteAsync($"/sessions/{id}");

        Assert.Equal(HttpStatusCode.Conflict, (await queued).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await first).StatusCode);
    }

    [Fact]
    public async Task IdleSession_PastItsTimeout_IsReapedWithItsDirectory()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Sessions:DefaultIdleTimeout"] = "00:00:00.300",
            ["Sessions:ReaperInterval"] = "00:00:00.050",
        });
        var client = factory.CreateClient();
        var id = await client.CreateSessionAsync();
        var directory = (await client.RunOkAsync(id, "str(SESSION_DIR)")).GetProperty("value").GetString()!;
        Assert.True(Directory.Exists(directory));

        await Poll.UntilAsync(() => factory.Services.GetRequiredService<SessionStore>().Count == 0);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/sessions/{id}")).StatusCode);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task BusySession_IsNotReapedForIdleness()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Sessions:DefaultIdleTimeout"] = "00:00:00.100",
            ["Sessions:ReaperInterval"] = "00:00:00.020",
        });
        var client = factory.CreateClient();
        var busy = await client.CreateSessionAsync();
        using var gate = new FileGate();
        var running = client.PostJsonAsync($"/sessions/{busy}/run", new { code = gate.WaitCode + "'done'" });
        await client.UntilStateAsync(busy, "busy");
        // An idle session with the same timeout, created after the busy one started: once the reaper has ended it, the
        // busy one has been idle-expired by the clock too, and was spared because it runs.
        var idle = await client.CreateSessionAsync();
        await client.UntilGoneAsync(idle);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/sessions/{busy}")).StatusCode);
        gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
    }

    [Fact]
    public async Task Create_PastPerOwnerLimit_Returns429SessionLimit()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Sessions:MaxSessionsPerOwner"] = "2" });
        var client = factory.CreateClient();
        await client.CreateSessionAsync();
        await client.CreateSessionAsync();

        var response = await client.PostJsonAsync("/sessions", new { });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:session-limit", body.Str("type"));
        Assert.Contains("Sessions:MaxSessionsPerOwner", body.Str("detail"), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Create_PastServiceLimit_Returns503SessionLimit()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Sessions:MaxSessions"] = "1" });
        var client = factory.CreateClient();
        var first = await client.CreateSessionAsync();

        var response = await client.PostJsonAsync("/sessions", new { });
        await client.DeleteAsync($"/sessions/{first}");
        var again = await client.PostJsonAsync("/sessions", new { });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:session-limit", (await response.JsonAsync()).Str("type"));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task Request_PastSessionQueueBound_Returns429SessionBusyWithRetryAfter()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Sessions:MaxQueuedPerSession"] = "1" });
        var client = factory.CreateClient();
        var id = await client.CreateSessionAsync();
        using var gate = new FileGate();
        var first = client.PostJsonAsync($"/sessions/{id}/run", new { code = gate.WaitCode });
        await client.UntilStateAsync(id, "busy");
        var second = client.PostJsonAsync($"/sessions/{id}/eval", new { code = "1" });
        await client.UntilStateAsync(id, "busy", queued: 1);

        var third = await client.PostJsonAsync($"/sessions/{id}/eval", new { code = "1" });
        gate.Open();

        var body = await third.JsonAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("urn:sidewinder:problem:session-busy", body.Str("type"));
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
    }

    [Fact]
    public async Task Session_OfAnotherKey_Is404AndNotListed()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Name"] = "alice",
            ["Auth:ApiKeys:0:Key"] = "alice-key-0123456789",
            ["Auth:ApiKeys:1:Name"] = "bob",
            ["Auth:ApiKeys:1:Key"] = "bob-key-0123456789ab",
        });
        var alice = factory.CreateClient();
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "alice-key-0123456789");
        var bob = factory.CreateClient();
        bob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bob-key-0123456789ab");
        var id = await alice.CreateSessionAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/sessions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostJsonAsync($"/sessions/{id}/eval", new { code = "1" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/sessions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/sessions/{id}/files")).StatusCode);
        Assert.Empty((await (await bob.GetAsync("/sessions")).JsonAsync()).GetProperty("sessions").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task Info_ShowsSessionLimits()
    {
        var info = await _client.GetFromJsonAsync<System.Text.Json.JsonElement>("/info");

        var sessions = info.GetProperty("sessions");
        var defaults = new PythonSessionOptions();
        Assert.Equal(defaults.MaxSessions, sessions.GetProperty("maxSessions").GetInt32());
        Assert.Equal(defaults.MaxQueuedPerSession, sessions.GetProperty("maxQueuedPerSession").GetInt32());
        Assert.Equal((long)defaults.MaxLifetime.TotalMilliseconds, sessions.GetProperty("maxLifetimeMs").GetInt64());
    }

    [Fact]
    public async Task Create_UnknownIsolation_Returns400NamingTheValues()
    {
        var response = await _client.PostJsonAsync("/sessions", new { isolation = "process" });

        var body = await response.JsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'shared'", body.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("'interpreter'", body.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InterpreterIsolation_GivesASubInterpreterWhereTheRuntimeHasThem()
    {
        var info = await _client.GetFromJsonAsync<System.Text.Json.JsonElement>("/info");
        var offered = info.GetProperty("sessions").GetProperty("isolations").EnumerateArray().Select(e => e.GetString()).ToList();
        var response = await _client.PostJsonAsync("/sessions", new { isolation = "interpreter" });
        var body = await response.JsonAsync();

        if (!offered.Contains("interpreter"))
        {
            Assert.Equal(["shared"], offered);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("3.12", body.Str("detail"), StringComparison.Ordinal);
            return;
        }
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("interpreter", body.Str("isolation"));
        var id = body.Str("id");
        try
        {
            var eval = await (await _client.PostJsonAsync($"/sessions/{id}/eval", new { code = "__import__('_interpreters').get_current()[0]" })).JsonAsync();
            Assert.True(eval.TryGetProperty("value", out var value), eval.GetRawText());
            Assert.NotEqual(0, value.GetInt64());
        }
        finally
        {
            await _client.DeleteAsync(new Uri($"/sessions/{id}", UriKind.Relative));
        }
    }
}
