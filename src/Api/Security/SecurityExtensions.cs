using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Sidewinder.Api.Hosting;

namespace Sidewinder.Api.Security;

/// <summary>API-key authentication, the endpoint access policy and the loopback-only safe default.</summary>
internal static class SecurityExtensions
{
    /// <summary>Removes the service's secrets (<c>Auth__*</c>, OTLP headers, and any prefix in
    /// <c>Auth:ScrubEnvironmentPrefixes</c>) from the process environment now that configuration holds them, before Python
    /// starts (see <see cref="SecretEnvironment"/>), and ignores SIGALRM, SIGVTALRM and SIGPROF, whose default action
    /// would end the process when a job calls <c>signal.alarm</c> or <c>signal.setitimer</c> (the service uses none).</summary>
    public static WebApplicationBuilder ScrubSecretsFromEnvironment(this WebApplicationBuilder builder)
    {
        var extra = builder.Configuration.GetSection("Auth:ScrubEnvironmentPrefixes").Get<string[]>() ?? [];
        SecretEnvironment.Scrub([.. SecretEnvironment.DefaultPrefixes, .. extra.Where(p => !string.IsNullOrWhiteSpace(p))]);
        ProcessSignals.IgnoreTimerSignals();
        return builder;
    }

    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.BindValidated<ApiKeyOptions>(ApiKeyOptions.SectionName, static o => o.Validate());
        services.AddSingleton<ApiKeyStore>();
        // The core services only: the full AddAuthentication also brings Data Protection, which wants a writable key store.
        services.AddAuthenticationCore(o => o.DefaultScheme = ApiKeyDefaults.Scheme);
        services.TryAddSingleton(TimeProvider.System);
        services.AddWebEncoders();
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddSingleton<IAuthorizationHandler, EndpointAccessHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            // No AddAuthenticationSchemes: UseAuthentication already ran the default (API-key) scheme, and naming it here
            // would authenticate every request a second time.
            .AddPolicy(ApiKeyDefaults.ExecutePolicy, policy => policy.AddRequirements(new EndpointAccessRequirement()))
            .AddPolicy(ApiKeyDefaults.McpPolicy, policy => policy.AddRequirements(new EndpointAccessRequirement(["eval", "run", "call", "sessions"])))
            .AddPolicy(ApiKeyDefaults.EvalPolicy, policy => policy.AddRequirements(new EndpointAccessRequirement(["eval"])))
            .AddPolicy(ApiKeyDefaults.RunPolicy, policy => policy.AddRequirements(new EndpointAccessRequirement(["run"])))
            .AddPolicy(ApiKeyDefaults.CallPolicy, policy => policy.AddRequirements(new EndpointAccessRequirement(["call"])))
            .AddPolicy(ApiKeyDefaults.SessionsPolicy, policy => policy.AddRequirements(new EndpointAccessRequirement(["sessions"])));
        services.AddHostedService<AnonymousBindingCheck>();
        return builder;
    }
}

/// <summary>Refuses to run on a non-loopback address without API keys (the safe default), saying why and what to set.</summary>
/// <remarks>Runs once the server listens (<see cref="IHostedLifecycleService.StartedAsync"/>), when the bound addresses are known.</remarks>
internal sealed class AnonymousBindingCheck(IServer server, ApiKeyStore keys) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (keys.IsEnabled || keys.AllowAnonymousNonLoopback)
        {
            return Task.CompletedTask;
        }
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopbackAddress(a)).ToList();
        if (exposed.Count > 0)
        {
            throw new InvalidOperationException(
                $"Refusing to serve {string.Join(", ", exposed)} without API keys: anyone who can reach it could run code. " +
                "Configure Auth:ApiKeys (environment: Auth__ApiKeys__0__Key=<at least 16 characters>), bind to 127.0.0.1, " +
                "or set Auth:AllowAnonymousNonLoopback=true if the network is private to you.");
        }
        return Task.CompletedTask;
    }

    internal static bool IsLoopbackAddress(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (uri.IsLoopback)
        {
            return true;
        }
        return System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
