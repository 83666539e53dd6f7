namespace Sidewinder.Client;

/// <summary>Evaluates one Python expression in a fresh namespace (<c>POST /eval</c>).</summary>
/// <param name="Code">A single Python expression, e.g. <c>sum(range(10))</c>.</param>
public sealed record EvalRequest(string Code)
{
    /// <summary>Values bound as Python globals before the code runs, serialized as JSON (names must be identifiers not
    /// starting with <c>__</c>).</summary>
    public IReadOnlyDictionary<string, object?>? Variables { get; init; }

    /// <summary>Deadline in milliseconds from the moment a worker starts the job; null for the service's default (30 s).</summary>
    public int? TimeoutMs { get; init; }
}

/// <summary>Runs Python statements like a notebook cell in a fresh namespace (<c>POST /run</c>).</summary>
/// <param name="Code">Python statements; a final bare expression is the value.</param>
public sealed record RunRequest(string Code)
{
    /// <summary>Values bound as Python globals before the code runs, serialized as JSON.</summary>
    public IReadOnlyDictionary<string, object?>? Variables { get; init; }

    /// <summary>Globals to return after the run; names that do not exist are left out.</summary>
    public IReadOnlyList<string>? ReturnVariables { get; init; }

    /// <summary>Deadline in milliseconds from the moment a worker starts the job; null for the service's default (30 s).</summary>
    public int? TimeoutMs { get; init; }
}

/// <summary>Calls <c>module.function(*args, **kwargs)</c> (<c>POST /call</c>).</summary>
/// <param name="Module">A script of the service's scripts directory, or an installed module.</param>
/// <param name="Function">A public callable of the module.</param>
public sealed record CallRequest(string Module, string Function)
{
    /// <summary>Positional arguments, serialized as JSON.</summary>
    public IReadOnlyList<object?>? Args { get; init; }

    /// <summary>Keyword arguments, serialized as JSON.</summary>
    public IReadOnlyDictionary<string, object?>? Kwargs { get; init; }

    /// <summary>Deadline in milliseconds from the moment a worker starts the job; null for the service's default (30 s).</summary>
    public int? TimeoutMs { get; init; }
}
