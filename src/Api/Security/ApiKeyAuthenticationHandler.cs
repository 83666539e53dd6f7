using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Sidewinder.Api.Security;

/// <summary>Authenticates <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c> against the configured keys.</summary>
/// <remarks>Keys are compared as SHA-256 digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, against every
/// configured key without stopping early, so the time taken says nothing about how much of a key matched or which.</remarks>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string MissingKey = "missing";
    public const string InvalidKey = "invalid";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.IsEnabled)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            Context.Items[typeof(ApiKeyAuthenticationHandler)] = MissingKey;
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var key = keys.Find(presented);
        if (key is null)
        {
            Context.Items[typeof(ApiKeyAuthenticationHandler)] = InvalidKey;
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }
        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Endpoints.Select(e => new Claim(ApiKeyDefaults.EndpointClaim, e)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.Scheme));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyDefaults.Scheme)));
    }

    /// <summary>The key the request presents; <see cref="Conflicting"/> when it presents two that differ (a Bearer token
    /// and an <c>X-Api-Key</c>): which one would be meant is unknowable, so neither counts.</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        string? bearer = null;
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            bearer = token.Length == 0 ? null : token;
        }
        var apiKey = request.Headers[ApiKeyDefaults.HeaderName].ToString().Trim();
        var key = apiKey.Length == 0 ? null : apiKey;
        if (bearer is not null && key is not null && !string.Equals(bearer, key, StringComparison.Ordinal))
        {
            return Conflicting;
        }
        return bearer ?? key;
    }

    /// <summary>Stands for two credentials that disagree; no configured key can equal it (keys are matched by digest
    /// and this string contains a NUL, which no header value can).</summary>
    private const string Conflicting = "\0conflicting credentials";
}

/// <summary>The configured keys as digests, ready for constant-time comparison.</summary>
internal sealed class ApiKeyStore
{
    private readonly (byte[] Digest, ResolvedKey Key)[] _keys;

    public ApiKeyStore(IOptions<ApiKeyOptions> options)
    {
        var configured = options.Value.ApiKeys;
        _keys = [.. configured
            .Select((k, i) => (k, i))
            .Where(p => !string.IsNullOrEmpty(p.k.Key))
            .Select(p => (Digest(p.k.Key!), new ResolvedKey(
                string.IsNullOrWhiteSpace(p.k.Name) ? "key" + p.i : p.k.Name!,
                p.k.Endpoints is { Count: > 0 } endpoints ? [.. endpoints] : [])))];
        AllowAnonymousNonLoopback = options.Value.AllowAnonymousNonLoopback;
    }

    public bool IsEnabled => _keys.Length > 0;

    public bool AllowAnonymousNonLoopback { get; }

    public int Count => _keys.Length;

    public ResolvedKey? Find(string presented)
    {
        var digest = Digest(presented);
        ResolvedKey? found = null;
        foreach (var (candidate, key) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest))
            {
                found = key;
            }
        }
        return found;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>A configured key without its secret.</summary>
/// <param name="Name">Name for logs and rate limiting.</param>
/// <param name="Endpoints">Endpoints it may use; empty means all.</param>
internal sealed record ResolvedKey(string Name, IReadOnlyList<string> Endpoints);
