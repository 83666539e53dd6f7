namespace Sidewinder.Tests;

/// <summary>Waits for a condition the test cannot be told about (a pool's counters), without a fixed sleep.</summary>
internal static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }
}
