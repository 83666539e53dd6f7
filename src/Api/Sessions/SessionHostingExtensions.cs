using Sidewinder.Api.Hosting;
using Sidewinder.Workers;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Sessions;

/// <summary>Registers the session store with its validated <c>Sessions</c> options.</summary>
internal static class SessionHostingExtensions
{
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.BindValidated<PythonSessionOptions>(PythonSessionOptions.SectionName, static o => o.Validate());
        builder.Services.AddSessionStore();
        builder.Services.AddHostedService<SessionStoreLifetime>();
        return builder;
    }
}

/// <summary>Creates the store at start (its reaper starts, its files root is checked), and ends every session first when
/// the host stops, before the pool drains: sessions do not survive a restart.</summary>
internal sealed class SessionStoreLifetime(IServiceProvider services) : IHostedService
{
    private SessionStore? _store;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _store = services.GetRequiredService<SessionStore>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _store?.Dispose();
        return Task.CompletedTask;
    }
}
