namespace Sidewinder.Api.Tests;

/// <summary>Waits for a condition that another thread makes true; fails after a generous bound (not a timing assertion).</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("The condition did not become true within " + timeoutMs + " ms.");
            }
            await Task.Delay(10);
        }
    }
}
