using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sidewinder.Interop;

namespace Sidewinder.Workers;

/// <summary>Registers a <see cref="WorkerPool"/> in dependency injection.</summary>
public static class WorkerPoolServiceCollectionExtensions
{
    /// <summary>Adds a singleton <see cref="WorkerPool"/> with validated <see cref="WorkerPoolOptions"/>, and a
    /// <see cref="PythonRuntime"/> singleton (started with default options) unless one is already registered.</summary>
    /// <remarks>Bind configuration with <c>services.Configure&lt;WorkerPoolOptions&gt;(config.GetSection(WorkerPoolOptions.SectionName))</c>
    /// before or after this call. Validation runs when the pool is first resolved; add
    /// <c>services.AddOptions&lt;WorkerPoolOptions&gt;().ValidateOnStart()</c> to fail at host start instead.
    /// The container disposes the pool before the runtime, because the runtime was created first.</remarks>
    public static IServiceCollection AddWorkerPool(this IServiceCollection services, Action<WorkerPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WorkerPoolOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerPoolOptions>, WorkerPoolOptionsValidator>());
        services.TryAddSingleton(_ => PythonRuntime.Start());
        services.TryAddSingleton(provider => new WorkerPool(
            provider.GetRequiredService<PythonRuntime>(),
            provider.GetRequiredService<IOptions<WorkerPoolOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>()));
        return services;
    }

    /// <summary>Adds a singleton <see cref="Sessions.SessionStore"/> over the pool, with validated <see cref="Sessions.PythonSessionOptions"/>
    /// (bind <see cref="Sessions.PythonSessionOptions.SectionName"/> as for the pool). It is created after the pool, so the container
    /// disposes it first: sessions end before the workers stop.</summary>
    public static IServiceCollection AddSessionStore(this IServiceCollection services, Action<Sessions.PythonSessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<Sessions.PythonSessionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Sessions.PythonSessionOptions>, SessionOptionsValidator>());
        services.TryAddSingleton(provider => new Sessions.SessionStore(
            provider.GetRequiredService<WorkerPool>(),
            provider.GetRequiredService<IOptions<Sessions.PythonSessionOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>(),
            provider.GetService<TimeProvider>()));
        return services;
    }
}

/// <summary>Runs <see cref="Sessions.PythonSessionOptions.Validate"/> for the options system.</summary>
internal sealed class SessionOptionsValidator : IValidateOptions<Sessions.PythonSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, Sessions.PythonSessionOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Runs <see cref="WorkerPoolOptions.Validate"/> for the options system.</summary>
internal sealed class WorkerPoolOptionsValidator : IValidateOptions<WorkerPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerPoolOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
