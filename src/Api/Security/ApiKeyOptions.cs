namespace Sidewinder.Api.Security;

/// <summary>API-key authentication (configuration section <c>Auth</c>).</summary>
/// <remarks>With no keys configured the service is anonymous and, unless <see cref="AllowAnonymousNonLoopback"/> is set,
/// refuses to start on a non-loopback address and answers 403 to requests that do not come from loopback.</remarks>
public sealed class ApiKeyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Auth";

    /// <summary>Accepted keys. Environment: <c>Auth__ApiKeys__0__Key</c>, <c>Auth__ApiKeys__0__Name</c>, ... Default: none.</summary>
    public List<ApiKey> ApiKeys { get; set; } = [];

    /// <summary>Allow requests without a key from any address when no keys are configured. Only for networks you
    /// control completely (e.g. a sidecar behind a NetworkPolicy). Default: false.</summary>
    public bool AllowAnonymousNonLoopback { get; set; }

    /// <summary>The keys that have a value.</summary>
    internal IEnumerable<ApiKey> ConfiguredKeys => ApiKeys.Where(k => !string.IsNullOrEmpty(k.Key));

    /// <summary>True when at least one key is configured, so every execution request needs one.</summary>
    public bool IsEnabled => ConfiguredKeys.Any();

    /// <summary>Every problem with these settings, naming the setting to change.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            if (string.IsNullOrEmpty(key.Key))
            {
                errors.Add($"Auth:ApiKeys:{i}:Key is empty; remove the entry or set a key.");
            }
            else if (key.Key.Length < 16)
            {
                errors.Add($"Auth:ApiKeys:{i}:Key is shorter than 16 characters; use a long random key (e.g. `openssl rand -hex 32`).");
            }
            foreach (var endpoint in key.Endpoints ?? [])
            {
                if (!ApiKeyDefaults.EndpointNames.Contains(endpoint))
                {
                    errors.Add($"Auth:ApiKeys:{i}:Endpoints contains '{endpoint}'; allowed values are {string.Join(", ", ApiKeyDefaults.EndpointNames)}.");
                }
            }
        }
        var duplicates = ConfiguredKeys.GroupBy(k => k.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Count();
        if (duplicates > 0)
        {
            errors.Add("Auth:ApiKeys lists the same key more than once.");
        }
        return errors;
    }
}

/// <summary>One API key.</summary>
public sealed class ApiKey
{
    /// <summary>Name used in logs and for rate limiting (never the key itself). Default: <c>key{index}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The secret, at least 16 characters. Sent as <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>.</summary>
    public string? Key { get; set; }

    /// <summary>Endpoints the key may use (<c>eval</c>, <c>run</c>, <c>call</c>, <c>sessions</c>, <c>info</c>, <c>metrics</c>); null or empty
    /// means all. Using another endpoint gets 403. The MCP tools <c>python_eval</c>, <c>python_run</c> and
    /// <c>python_call</c> need <c>eval</c>, <c>run</c> and <c>call</c> in the same way.</summary>
    public List<string>? Endpoints { get; set; }
}

/// <summary>Names shared by the authentication and authorisation pieces.</summary>
public static class ApiKeyDefaults
{
    /// <summary>The authentication scheme.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The header for a key without the Bearer scheme.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>Policy of the execution and info endpoints.</summary>
    public const string ExecutePolicy = "Sidewinder.Execute";

    /// <summary>Policy of the MCP endpoint: a key allowed at least one of <c>eval</c>, <c>run</c>, <c>call</c>, <c>sessions</c>.</summary>
    public const string McpPolicy = "Sidewinder.Mcp";

    /// <summary>Policy of the <c>python_eval</c> MCP tool: a key allowed <c>eval</c>.</summary>
    public const string EvalPolicy = "Sidewinder.Endpoint.Eval";

    /// <summary>Policy of the <c>python_run</c> MCP tool: a key allowed <c>run</c>.</summary>
    public const string RunPolicy = "Sidewinder.Endpoint.Run";

    /// <summary>Policy of the <c>python_call</c> MCP tool: a key allowed <c>call</c>.</summary>
    public const string CallPolicy = "Sidewinder.Endpoint.Call";

    /// <summary>Policy of the <c>/sessions</c> endpoints and the session MCP tools: a key allowed <c>sessions</c>.</summary>
    public const string SessionsPolicy = "Sidewinder.Endpoint.Sessions";

    /// <summary>Claim listing an endpoint the key may use.</summary>
    public const string EndpointClaim = "sidewinder:endpoint";

    /// <summary>Endpoint names a key can be limited to.</summary>
    public static readonly IReadOnlySet<string> EndpointNames = new HashSet<string>(StringComparer.Ordinal) { "eval", "run", "call", "sessions", "info", "metrics" };
}
