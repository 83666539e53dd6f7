using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Tests;

/// <summary>One interpreter for the whole test assembly (CPython initialises once per process) and one shared pool.
/// Tests that need special settings create their own small pools over <see cref="Runtime"/>.
/// The runtime is chosen by <c>SIDEWINDER_PYTHON</c>.</summary>
public sealed class PoolFixture : IDisposable
{
    public PoolFixture()
    {
        ScriptsDirectory = Directory.CreateTempSubdirectory("sidewinder-scripts-").FullName;
        Runtime = PythonRuntime.Start();
        Logs = new CapturingLoggerProvider();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        Pool = new WorkerPool(Runtime, new WorkerPoolOptions
        {
            WorkerCount = 4,
            MaxOutputChars = 64 * 1024,
            MaxResultBytes = 1024 * 1024,
            ScriptsDirectory = ScriptsDirectory,
            InterruptGracePeriod = TimeSpan.FromMilliseconds(200),
        }, LoggerFactory);
    }

    public PythonRuntime Runtime { get; }

    public WorkerPool Pool { get; }

    public string ScriptsDirectory { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>A small pool over the shared runtime; dispose it at the end of the test.</summary>
    public WorkerPool CreatePool(Action<WorkerPoolOptions> configure)
    {
        var options = new WorkerPoolOptions { WorkerCount = 1, InterruptGracePeriod = TimeSpan.FromMilliseconds(200) };
        configure(options);
        return new WorkerPool(Runtime, options, LoggerFactory);
    }

    public void Dispose()
    {
        Pool.Dispose();
        LoggerFactory.Dispose();
        Runtime.Dispose();
        Directory.Delete(ScriptsDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class PythonTests : ICollectionFixture<PoolFixture>
{
    public const string Name = "python";
}

/// <summary>Keeps every log entry in memory.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}

internal static class Json
{
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static Dictionary<string, JsonElement> Variables(params (string Name, string Json)[] values) =>
        values.ToDictionary(v => v.Name, v => Parse(v.Json));
}
