using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Logging;

namespace Sidewinder.Api.Security;

/// <summary>Answers failed authorisation with problem details: 401 (with <c>WWW-Authenticate</c>) for a missing or
/// unknown key, 403 for a key that may not use the endpoint or an anonymous non-loopback caller.</summary>
internal sealed class ProblemAuthorizationResultHandler(ApiKeyStore keys) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }
        RequestJobInfo.Set(context, null, Outcomes.Rejected);
        if (keys.IsEnabled && context.User.Identity?.IsAuthenticated != true)
        {
            var invalid = context.Items[typeof(ApiKeyAuthenticationHandler)] as string == ApiKeyAuthenticationHandler.InvalidKey;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.WriteAsync(context, Problems.Create(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized,
                "An API key is required",
                invalid
                    ? "The API key is not valid."
                    : $"Send an API key as 'Authorization: Bearer <key>' or '{ApiKeyDefaults.HeaderName}: <key>'.",
                Outcomes.Rejected));
        }
        // Without keys nobody is authenticated, so the policy challenges rather than forbids; the only reason is the loopback rule.
        var reason = !keys.IsEnabled
            ? EndpointAccessHandler.LoopbackOnly
            : authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? "Access denied.";
        return Problems.WriteAsync(context, Problems.Create(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden,
            "Access denied", reason, Outcomes.Rejected));
    }
}
