using System.Net;
using System.Text.Json;

namespace Sidewinder.Api.Tests.Sessions;

/// <summary>Small helpers for the session tests: create a session, run in it, wait for its state.</summary>
internal static class SessionHttp
{
    public static async Task<string> CreateSessionAsync(this HttpClient client, object? body = null)
    {
        var response = await client.PostJsonAsync("/sessions", body ?? new { });
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create: {(int)response.StatusCode} {json}");
        return json.Str("id");
    }

    public static async Task<JsonElement> RunOkAsync(this HttpClient client, string id, string code)
    {
        var response = await client.PostJsonAsync($"/sessions/{id}/run", new { code });
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"run: {(int)response.StatusCode} {json}");
        return json;
    }

    public static async Task<JsonElement> EvalValueAsync(this HttpClient client, string id, string code)
    {
        var response = await client.PostJsonAsync($"/sessions/{id}/eval", new { code });
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"eval: {(int)response.StatusCode} {json}");
        return json.GetProperty("value");
    }

    public static async Task<JsonElement> SessionAsync(this HttpClient client, string id)
    {
        var response = await client.GetAsync($"/sessions/{id}");
        return await response.JsonAsync();
    }

    /// <summary>Waits until the session is 404 (ended by the reaper or a delete).</summary>
    public static async Task UntilGoneAsync(this HttpClient client, string id)
    {
        var deadline = Environment.TickCount64 + 20_000;
        while ((await client.GetAsync($"/sessions/{id}")).StatusCode != HttpStatusCode.NotFound)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Session {id} did not end.");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Waits until the session reports <paramref name="state"/> (a job reached the worker, or ended).</summary>
    public static async Task UntilStateAsync(this HttpClient client, string id, string state, int queued = 0)
    {
        var deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
            var session = await client.SessionAsync(id);
            if (session.Str("state") == state && session.GetProperty("queued").GetInt32() == queued)
            {
                return;
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Session {id} did not become {state} with {queued} queued: {session}");
            }
            await Task.Delay(10);
        }
    }
}
