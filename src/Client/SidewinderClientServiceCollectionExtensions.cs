using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Sidewinder.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ISidewinderClient"/> on <c>IHttpClientFactory</c>.</summary>
public static class SidewinderClientServiceCollectionExtensions
{
    /// <summary>Adds <see cref="ISidewinderClient"/> as a typed HTTP client with safe retries (only of requests that
    /// cannot have run; see <see cref="SidewinderClientOptions.MaxRetryAttempts"/>).</summary>
    /// <returns>The client's builder, for more handlers or a different primary handler.</returns>
    public static IHttpClientBuilder AddSidewinderClient(this IServiceCollection services, Action<SidewinderClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SidewinderClientOptions>().Configure(configure);
        var builder = services.AddHttpClient<ISidewinderClient, SidewinderClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<SidewinderClientOptions>>().Value;
            options.Validate();
            var address = options.BaseAddress!.ToString();
            http.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/"); // "eval" then keeps a path prefix
            http.Timeout = options.Timeout;
            if (!string.IsNullOrEmpty(options.ApiKey))
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            }
        });
        builder.AddResilienceHandler("sidewinder-safe-retry", (pipeline, context) =>
            SafeRetry.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<SidewinderClientOptions>>().Value));
        return builder;
    }
}
