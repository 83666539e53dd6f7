using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Logging;
using Sidewinder.Api.Hosting;

namespace Sidewinder.Api.Limits;

/// <summary>Body-size limit, and ASP.NET Core's rate limiter with one token bucket per client on the execution endpoints.</summary>
internal static class RateLimitingExtensions
{
    public const string PolicyName = "sidewinder-clients";

    public static WebApplicationBuilder AddRequestLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.BindValidated<LimitsOptions>(LimitsOptions.SectionName, static o => o.Validate());
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<LimitsOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(PolicyName, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(ClientKey(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.RateLimitBurst,
                    TokensPerPeriod = limits.RateLimitPermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                RequestJobInfo.Set(context, null, Outcomes.Rejected);
                return new ValueTask(Problems.WriteAsync(context, Problems.Create(StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited,
                    "Too many requests", $"The rate limit for this client is exhausted; retry after {retryAfter} s (Limits:RateLimitPermitsPerSecond).",
                    Outcomes.Rejected)));
            };
        });
        return builder;
    }

    /// <summary>Puts the per-client rate limit on <paramref name="builder"/>'s endpoints when it is on; with the limit off
    /// they carry no policy, so the rate limiter middleware does no work per request.</summary>
    public static TBuilder RequireClientRateLimit<TBuilder>(this TBuilder builder, IEndpointRouteBuilder app)
        where TBuilder : IEndpointConventionBuilder
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<LimitsOptions>>().Value.RateLimitPermitsPerSecond > 0)
        {
            builder.RequireRateLimiting(PolicyName);
        }
        return builder;
    }

    /// <summary>The rate limiter middleware, when rate limiting is on (with it off no endpoint carries a policy, so it would
    /// only look for one on every request).</summary>
    public static IApplicationBuilder UseClientRateLimit(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IOptions<LimitsOptions>>().Value.RateLimitPermitsPerSecond > 0)
        {
            app.UseRateLimiter();
        }
        return app;
    }

    /// <summary>Enforces <see cref="LimitsOptions.MaxRequestBodyBytes"/> up front from <c>Content-Length</c>, so an oversized
    /// body gets 413 before it is read (Kestrel's own limit covers chunked bodies while they are read).</summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app)
    {
        var max = app.ApplicationServices.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes;
        return app.Use((context, next) => context.Request.ContentLength > max ? TooLargeAsync(context, next, max) : next(context));
    }

    private static Task TooLargeAsync(HttpContext context, RequestDelegate next, long max)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<LargeBodyMetadata>() is null)
        {
            RequestJobInfo.Set(context, null, Outcomes.Invalid);
            return Problems.WriteAsync(context, Problems.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.TooLarge,
                "The request is too large", $"The body has {context.Request.ContentLength} bytes; the limit is {max} (Limits:MaxRequestBodyBytes).",
                Outcomes.Invalid));
        }
        return next(context);
    }

    private static string ClientKey(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
            ? "key:" + context.User.Identity.Name
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "local");
}
