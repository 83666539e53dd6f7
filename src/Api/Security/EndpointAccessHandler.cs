using System.Net;
using Microsoft.AspNetCore.Authorization;

namespace Sidewinder.Api.Security;

/// <summary>Requirement of the execution and info endpoints: a valid key allowed to use the endpoint, or, with no keys
/// configured, a loopback caller (unless <see cref="ApiKeyOptions.AllowAnonymousNonLoopback"/>).</summary>
internal sealed class EndpointAccessRequirement : IAuthorizationRequirement;

internal sealed class EndpointAccessHandler(ApiKeyStore keys) : AuthorizationHandler<EndpointAccessRequirement>
{
    public const string LoopbackOnly =
        "No API keys are configured, so only loopback clients are served. Configure Auth:ApiKeys to serve other addresses.";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, EndpointAccessRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        if (!keys.IsEnabled)
        {
            if (keys.AllowAnonymousNonLoopback || http is null || IsLoopback(http.Connection.RemoteIpAddress))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, LoopbackOnly));
            }
            return Task.CompletedTask;
        }
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask; // challenged: 401
        }
        var endpoint = EndpointName(http);
        var allowed = context.User.FindAll(ApiKeyDefaults.EndpointClaim).Select(c => c.Value).ToList();
        if (allowed.Count == 0 || (endpoint is not null && allowed.Contains(endpoint)))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this,
                $"The API key '{context.User.Identity.Name}' may not use '{endpoint}' (allowed: {string.Join(", ", allowed)})."));
        }
        return Task.CompletedTask;
    }

    /// <summary>Remote address null means an in-process caller (the test server), which is as local as loopback.</summary>
    internal static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string? EndpointName(HttpContext? http) =>
        http?.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName.ToLowerInvariant();
}
