using System.Net;
using Microsoft.AspNetCore.Authorization;

namespace Sidewinder.Api.Security;

/// <summary>Requirement of the execution, info, metrics and MCP endpoints: a valid key allowed to use the endpoint, or, with
/// no keys configured, a loopback caller (unless <see cref="ApiKeyOptions.AllowAnonymousNonLoopback"/>).</summary>
/// <param name="Endpoints">The endpoint names of which the key must allow at least one; null means the routed endpoint's
/// own name (<c>WithName("Eval")</c> is <c>eval</c>). MCP tools name theirs (<c>python_run</c> needs <c>run</c>).</param>
internal sealed record EndpointAccessRequirement(IReadOnlyList<string>? Endpoints = null) : IAuthorizationRequirement;

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
        var endpoints = requirement.Endpoints ?? (EndpointName(http) is { } name ? [name] : []);
        var allowed = context.User.FindAll(ApiKeyDefaults.EndpointClaim).Select(c => c.Value).ToList();
        if (allowed.Count == 0 || endpoints.Any(allowed.Contains))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this,
                $"The API key '{context.User.Identity.Name}' may not use '{string.Join("' or '", endpoints)}' (allowed: {string.Join(", ", allowed)})."));
        }
        return Task.CompletedTask;
    }

    /// <summary>Remote address null means an in-process caller (the test server), which is as local as loopback.</summary>
    internal static bool IsLoopback(IPAddress? address) => address is null || IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string? EndpointName(HttpContext? http) =>
        http?.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName.ToLowerInvariant();
}
