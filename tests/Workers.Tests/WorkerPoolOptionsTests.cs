using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    [Fact]
    public void Validate_ScriptsOnlyWithoutScriptsDirectory_NamesBothSettings()
    {
        var errors = new WorkerPoolOptions { CallModules = CallModuleScope.Scripts }.Validate();

        var error = Assert.Single(errors);
        Assert.Contains("Workers:CallModules", error, StringComparison.Ordinal);
        Assert.Contains("Workers:ScriptsDirectory", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LogLevel.Debug, 10)]
    [InlineData(LogLevel.Information, 20)]
    [InlineData(LogLevel.Warning, 30)]
    [InlineData(LogLevel.Critical, 50)]
    [InlineData(LogLevel.None, 100)]
    public void ResolvePythonLevel_Unset_FollowsTheDotNetLevelOfThePythonCategory(LogLevel minimum, int expected)
    {
        using var factory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Trace)
            .AddFilter("Sidewinder.Workers.Python", minimum)
            .AddProvider(new CapturingLoggerProvider()));

        var level = new WorkerPoolOptions().ResolvePythonLevel(factory.CreateLogger("Sidewinder.Workers.Python"));

        Assert.Equal(expected, level);
    }

    [Fact]
    public void ResolvePythonLevel_NoLoggerFactory_LetsNoRecordThrough() =>
        Assert.Equal(100, new WorkerPoolOptions().ResolvePythonLevel(NullLogger.Instance));

    [Fact]
    public void ResolvePythonLevel_Set_WinsOverTheDotNetLevel() =>
        Assert.Equal(30, new WorkerPoolOptions { PythonLogLevel = LogLevel.Warning }.ResolvePythonLevel(NullLogger.Instance));

    [Fact]
    public void Validate_NegativeGcThreshold_NamesTheSetting() =>
        Assert.Contains("GcThreshold", Assert.Single(new WorkerPoolOptions { GcThreshold = -1 }.Validate()), StringComparison.Ordinal);
}
