using System.Text.Json;

namespace Sidewinder.Api.Execution;

/// <summary>Settings shared by every execution request.</summary>
public abstract record ExecutionRequest
{
    /// <summary>Execution time limit in milliseconds, counted from the moment a worker starts the job. Optional:
    /// the default is <c>Workers:DefaultTimeout</c> (30 s); larger values are capped at <c>Workers:MaxTimeout</c> (5 min).</summary>
    /// <example>2000</example>
    public int? TimeoutMs { get; init; }

    /// <summary>Variables bound as Python globals before the code runs (JSON values become Python values:
    /// objects become dicts, arrays lists). Names must be Python identifiers not starting with a double underscore.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables { get; init; }
}

/// <summary>Evaluates one Python expression.</summary>
public sealed record EvalRequest : ExecutionRequest
{
    /// <summary>A single Python expression, e.g. <c>sum(range(10))</c>.</summary>
    /// <example>sum(range(10))</example>
    public required string Code { get; init; }
}

/// <summary>Runs Python statements like a notebook cell.</summary>
public sealed record RunRequest : ExecutionRequest
{
    /// <summary>Python statements. If the last statement is a bare expression, its value is the result.</summary>
    /// <example>for i in range(3):\n    print('line', i)\ntotal = 42\ntotal * 2</example>
    public required string Code { get; init; }

    /// <summary>Names of globals whose values to return after the code ran (as JSON); names that do not exist are left out.</summary>
    public IReadOnlyList<string>? ReturnVariables { get; init; }
}

/// <summary>Calls a function of a module from the scripts directory or an installed package.</summary>
public sealed record CallRequest
{
    /// <summary>Dotted module name: a <c>.py</c> file in the scripts directory (<c>Workers:ScriptsDirectory</c>) or an installed
    /// module (the latter not with <c>Workers:CallModules=Scripts</c>).</summary>
    /// <example>example</example>
    public required string Module { get; init; }

    /// <summary>Name of a public callable in the module: one identifier (no dots: for os.path.join send module `os.path`), no leading underscore.</summary>
    /// <example>greet</example>
    public required string Function { get; init; }

    /// <summary>Positional arguments as JSON values.</summary>
    public IReadOnlyList<JsonElement>? Args { get; init; }

    /// <summary>Keyword arguments as JSON values.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Kwargs { get; init; }

    /// <summary>Execution time limit in milliseconds (see <see cref="ExecutionRequest.TimeoutMs"/>).</summary>
    /// <example>2000</example>
    public int? TimeoutMs { get; init; }
}
