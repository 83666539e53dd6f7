using Microsoft.Extensions.Options;
using Sidewinder.Interop;
using Sidewinder.Workers;

namespace Sidewinder.Api.Hosting;

/// <summary>Registers the embedded interpreter and the worker pool, and ties both to the host's lifetime.</summary>
internal static class PythonHostingExtensions
{
    /// <summary>Configuration section for <see cref="PythonRuntimeOptions"/> (<c>Python:Runtime</c>, <c>Python:LibraryPath</c>, ...).</summary>
    public const string PythonSectionName = "Python";

    /// <summary>Binds <c>Python</c> and <c>Workers</c>, registers the runtime and pool as singletons, and starts both
    /// while the host starts, so a missing libpython or a bad setting stops start-up with a message naming the setting.</summary>
    public static WebApplicationBuilder AddPythonWorkers(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PythonRuntimeOptions>().Bind(builder.Configuration.GetSection(PythonSectionName));
        services.AddOptions<WorkerPoolOptions>().Bind(builder.Configuration.GetSection(WorkerPoolOptions.SectionName)).ValidateOnStart()
            .PostConfigure(o =>
            {
                // A relative scripts directory is relative to the application, not to whatever the working directory is.
                if (!string.IsNullOrEmpty(o.ScriptsDirectory) && !Path.IsPathRooted(o.ScriptsDirectory))
                {
                    o.ScriptsDirectory = Path.Combine(AppContext.BaseDirectory, o.ScriptsDirectory);
                }
            });

        // Tests register a shared, already started runtime before this runs (one interpreter per process).
        services.AddSingleton(provider => StartRuntime(provider.GetRequiredService<IOptions<PythonRuntimeOptions>>().Value));
        services.AddWorkerPool();
        services.AddHostedService<WorkerPoolLifetime>();

        // The host must wait for the pool's drain: running jobs get ShutdownGracePeriod, plus time to stop threads.
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerPoolOptions>>((host, workers) =>
        {
            var needed = workers.Value.ShutdownGracePeriod + workers.Value.InterruptGracePeriod + TimeSpan.FromSeconds(5);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return builder;
    }

    /// <summary>The address used when none is configured (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>,
    /// <c>Kestrel:Endpoints</c>): loopback only, so the keyless default is safe.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Listens on <see cref="DefaultUrl"/> unless an address is configured.</summary>
    public static WebApplicationBuilder UseDefaultAddress(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrEmpty(configuration["urls"]) || !string.IsNullOrEmpty(configuration["http_ports"]) ||
            !string.IsNullOrEmpty(configuration["https_ports"]) || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        return builder;
    }

    private static PythonRuntime StartRuntime(PythonRuntimeOptions options)
    {
        try
        {
            return PythonRuntime.Start(options);
        }
        catch (PythonNotFoundException ex)
        {
            throw new InvalidOperationException(
                "No Python runtime was found. Set Python:Runtime (environment: Python__Runtime or SIDEWINDER_PYTHON) to a " +
                "provisioned runtime such as 'default' or '3.13t' (scripts/provision-python.sh installs them), or " +
                "Python:LibraryPath (Python__LibraryPath) to a shared libpython. " + ex.Message, ex);
        }
    }
}

/// <summary>Starts the pool (and so the interpreter) with the host and drains it on shutdown (SIGTERM).</summary>
/// <remarks>The interpreter and the workers start on a thread of their own as soon as the host starts
/// (<see cref="StartingAsync"/>), while the web server binds and builds its pipeline, and start-up waits for them once
/// everything else has started (<see cref="StartedAsync"/>): a failure (no libpython, a bad setting) still stops
/// start-up with its message. Until then <c>/health/ready</c> waits for the pool like any other request that needs it.
/// Overlapping the two took about a tenth off start-up on 2 cores (docs/performance.md, "Start-up").</remarks>
internal sealed class WorkerPoolLifetime(IServiceProvider services) : IHostedLifecycleService
{
    private Task<WorkerPool>? _starting;
    private WorkerPool? _pool;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _starting = Task.Factory.StartNew(services.GetRequiredService<WorkerPool>, cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken) =>
        _pool = await (_starting ?? Task.FromResult(services.GetRequiredService<WorkerPool>())).ConfigureAwait(false);

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _pool?.ShutdownAsync() ?? Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
