using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sidewinder.Workers;

namespace Sidewinder.Client.Tests;

/// <summary>How the client reaches the service in a test.</summary>
public enum Transport
{
    /// <summary>WebApplicationFactory's in-memory server.</summary>
    InProcess,

    /// <summary>Kestrel on a loopback port.</summary>
    Socket,
}

/// <summary>The real service (the Api tests' <see cref="ApiFactory"/>) and an <see cref="ISidewinderClient"/> resolved from
/// <c>AddSidewinderClient</c>, over either transport.</summary>
internal sealed class ClientHost : IDisposable
{
    private readonly ServiceProvider _services;

    public ClientHost(Transport transport, Dictionary<string, string?>? settings = null, Action<SidewinderClientOptions>? configure = null)
    {
        settings ??= [];
        var port = Ports.FreeLoopbackPort();
        if (transport == Transport.Socket)
        {
            settings["urls"] = $"http://127.0.0.1:{port}";
        }
        Factory = new ApiFactory(settings);
        Uri address;
        if (transport == Transport.Socket)
        {
            Factory.UseKestrel();
            Factory.StartServer();
            address = new Uri($"http://127.0.0.1:{port}");
        }
        else
        {
            address = Factory.Server.BaseAddress;
        }
        var services = new ServiceCollection();
        var builder = services.AddSidewinderClient(o =>
        {
            o.BaseAddress = address;
            o.RetryDelay = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        if (transport == Transport.InProcess)
        {
            builder.ConfigurePrimaryHttpMessageHandler(() => Factory.Server.CreateHandler());
        }
        _services = services.BuildServiceProvider();
        Client = _services.GetRequiredService<ISidewinderClient>();
    }

    public ApiFactory Factory { get; }

    public ISidewinderClient Client { get; }

    public WorkerPool Pool => Factory.Services.GetRequiredService<WorkerPool>();

    /// <summary>With one worker and a queue of one: a job holds the worker and another the queue until the gate opens.</summary>
    /// <returns>Both jobs, complete once the gate is open.</returns>
    public async Task<Task> FillQueueAsync(FileGate gate)
    {
        var running = Client.RunAsync(new RunRequest(gate.WaitCode));
        await Poll.UntilAsync(() => Pool.Status.BusyWorkers == 1);
        var queued = Client.RunAsync(new RunRequest(gate.WaitCode));
        await Poll.UntilAsync(() => Pool.Status.QueuedJobs == 1);
        return Task.WhenAll(running, queued);
    }

    /// <summary>Request-completion log lines for a path, with their outcomes.</summary>
    public IReadOnlyList<string?> Outcomes(string path) =>
        [.. Factory.Logs.Entries.Where(e => e.EventName is "RequestCompleted" or "RequestRejectedBeforeJob" && Equals(e.Properties["Path"], path))
            .Select(e => e.Properties["Outcome"] as string)];

    public void Dispose()
    {
        _services.Dispose();
        Factory.Dispose();
    }
}
