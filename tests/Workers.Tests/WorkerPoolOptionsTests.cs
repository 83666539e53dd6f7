namespace Sidewinder.Workers.Tests;

public sealed class WorkerPoolOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new WorkerPoolOptions().Validate());

    [Fact]
    public void Validate_BadValues_NameEachSetting()
    {
        var options = new WorkerPoolOptions
        {
            WorkerCount = 0,
            QueueCapacity = 0,
            DefaultTimeout = TimeSpan.FromMinutes(10),
            MaxOutputChars = -1,
            ScriptsDirectory = "/no/such/directory",
            WorkerStackSize = 1024,
            IdleSpinTime = TimeSpan.FromMilliseconds(-1),
        };

        var errors = options.Validate();

        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.Contains("WorkerCount", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("QueueCapacity", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("DefaultTimeout", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxOutputChars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/no/such/directory", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("WorkerStackSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("IdleSpinTime", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(options.ThrowIfInvalid);
    }
}
