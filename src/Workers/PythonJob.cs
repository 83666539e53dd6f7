using System.Text.Json;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Workers;

/// <summary>A unit of Python work for a <see cref="WorkerPool"/>: <see cref="EvalJob"/>, <see cref="RunJob"/> or <see cref="CallJob"/>.</summary>
/// <remarks>Eval and run jobs execute in a fresh globals namespace, so nothing leaks from one job to the next, unless
/// they run in a session (<see cref="SessionStore.SubmitAsync"/>), whose namespace they share with its other jobs.</remarks>
public abstract record PythonJob
{
    private protected PythonJob()
    {
    }

    /// <summary>Identifier for logs and traces; a new one is generated when null.</summary>
    public string? Id { get; init; }

    /// <summary>Execution time limit (from the moment a worker starts the job); null means
    /// <see cref="WorkerPoolOptions.DefaultTimeout"/>. Clamped to <see cref="WorkerPoolOptions.MaxTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Variables bound in the job's fresh globals before it runs (JSON values become Python values).
    /// Names must be Python identifiers and must not start with a double underscore.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Variables { get; init; }

    /// <summary>Where to stream the job's output as it runs (stdout, stderr, display outputs, log records); null: the
    /// output arrives only in the result. The pool completes the stream when the job ends.</summary>
    public JobEventBuffer? Events { get; init; }

    /// <summary>The kind of job, for logs and metrics.</summary>
    public abstract string Kind { get; }

    /// <summary>The session whose namespace the job runs in; null for a stateless job. Set only by
    /// <see cref="SessionStore.SubmitAsync"/>, which also orders the session's jobs.</summary>
    public PythonSession? Session { get; internal init; }
}

/// <summary>Frees an ended session's namespace on a worker; see <see cref="SessionStore"/>.</summary>
internal sealed record ReleaseSessionJob : PythonJob
{
    public override string Kind => "session-release";
}

/// <summary>Evaluates one expression; the result is its value as JSON.</summary>
/// <param name="Expression">A Python expression, e.g. <c>sum(x * x for x in values)</c>.</param>
public sealed record EvalJob(string Expression) : PythonJob
{
    /// <inheritdoc />
    public override string Kind => "eval";
}

/// <summary>Runs statements like a notebook cell: the result is the value of a final bare expression, if any.</summary>
/// <param name="Code">Python statements.</param>
public sealed record RunJob(string Code) : PythonJob
{
    /// <summary>Names of globals whose values to return (as JSON) after the code ran; missing names are left out.</summary>
    public IReadOnlyList<string>? ReturnVariables { get; init; }

    /// <inheritdoc />
    public override string Kind => "run";
}

/// <summary>Calls <c>Module.Function(*Args, **Kwargs)</c>. Modules come from
/// <see cref="WorkerPoolOptions.ScriptsDirectory"/> or installed packages; a changed script file is reloaded.</summary>
/// <param name="Module">Dotted module name, e.g. <c>pricing</c> or <c>package.module</c>.</param>
/// <param name="Function">Function (any callable attribute) of the module; must not start with an underscore.</param>
public sealed record CallJob(string Module, string Function) : PythonJob
{
    /// <summary>Positional arguments.</summary>
    public IReadOnlyList<JsonElement>? Args { get; init; }

    /// <summary>Keyword arguments.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Kwargs { get; init; }

    /// <inheritdoc />
    public override string Kind => "call";
}
