using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Security;
using Sidewinder.Workers;

namespace Sidewinder.Api.Mcp;

/// <summary>The stateless tools: <c>python_eval</c>, <c>python_run</c>, <c>python_call</c>, with the arguments of
/// <c>POST /eval</c>, <c>/run</c> and <c>/call</c>. Each needs the same key permission as its HTTP endpoint, and a key
/// that lacks it does not see the tool in <c>tools/list</c>.</summary>
[McpServerToolType]
internal sealed class PythonTools(ToolJobRunner runner, IOptions<LimitsOptions> limits)
{
    private const string TimeoutDescription = "Execution time limit in milliseconds, counted from the moment a worker starts " +
        "the job. Optional: the default is Workers:DefaultTimeout (30 s); larger values are capped at Workers:MaxTimeout (5 min).";

    private const string VariablesDescription = "Variables bound as Python globals before the code runs (JSON values become " +
        "Python values). Names must be Python identifiers not starting with a double underscore.";

    [McpServerTool(Name = "python_eval", Title = "Evaluate a Python expression", Destructive = false, OpenWorld = true)]
    [Description("Evaluates one Python expression in a fresh namespace and returns its value as JSON with its Python type, " +
        "captured output and timings (the JSON of Sidewinder's POST /eval). A Python exception, syntax error or timeout is a " +
        "tool error whose text has the traceback.")]
    [Authorize(Policy = ApiKeyDefaults.EvalPolicy)]
    public Task<CallToolResult> EvalAsync(
        [Description("A single Python expression, e.g. sum(range(10)).")] string code,
        [Description(VariablesDescription)] IReadOnlyDictionary<string, JsonElement>? variables = null,
        [Description(TimeoutDescription)] int? timeoutMs = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync((RequestError.Code(code, limits.Value.MaxCodeChars) ?? RequestError.Timeout(timeoutMs))?.Message,
            () => new EvalJob(code) { Variables = variables, Timeout = RequestError.Deadline(timeoutMs) }, cancellationToken);

    [McpServerTool(Name = "python_run", Title = "Run Python statements", Destructive = false, OpenWorld = true)]
    [Description("Runs Python statements like a notebook cell in a fresh namespace: returns stdout and stderr, the value of a " +
        "final bare expression if there is one, and the globals named in returnVariables (the JSON of Sidewinder's POST /run). " +
        "A Python exception, syntax error or timeout is a tool error whose text has the traceback and the output so far.")]
    [Authorize(Policy = ApiKeyDefaults.RunPolicy)]
    public Task<CallToolResult> RunAsync(
        [Description("Python statements. If the last statement is a bare expression, its value is the result.")] string code,
        [Description(VariablesDescription)] IReadOnlyDictionary<string, JsonElement>? variables = null,
        [Description("Names of globals whose values to return after the code ran (as JSON); names that do not exist are left out.")]
        IReadOnlyList<string>? returnVariables = null,
        [Description(TimeoutDescription)] int? timeoutMs = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync((RequestError.Code(code, limits.Value.MaxCodeChars) ?? RequestError.Timeout(timeoutMs))?.Message,
            () => new RunJob(code) { Variables = variables, ReturnVariables = returnVariables, Timeout = RequestError.Deadline(timeoutMs) }, cancellationToken);

    [McpServerTool(Name = "python_call", Title = "Call a Python function", Destructive = false, OpenWorld = true)]
    [Description("Calls module.function(*args, **kwargs), the module being a script of the service's scripts directory or an " +
        "installed module, and returns the value as JSON (the JSON of Sidewinder's POST /call). A Python exception or timeout " +
        "is a tool error whose text has the traceback.")]
    [Authorize(Policy = ApiKeyDefaults.CallPolicy)]
    public Task<CallToolResult> CallAsync(
        [Description("Dotted module name: a .py file in the scripts directory, or an installed module.")] string module,
        [Description("Name of a public callable in the module: one identifier (no dots: for os.path.join send module os.path), no leading underscore.")] string function,
        [Description("Positional arguments as JSON values.")] IReadOnlyList<JsonElement>? args = null,
        [Description("Keyword arguments as JSON values.")] IReadOnlyDictionary<string, JsonElement>? kwargs = null,
        [Description(TimeoutDescription)] int? timeoutMs = null,
        CancellationToken cancellationToken = default) =>
        runner.RunAsync((RequestError.Name("module", module) ?? RequestError.Name("function", function) ?? RequestError.Timeout(timeoutMs))?.Message,
            () => new CallJob(module, function) { Args = args, Kwargs = kwargs, Timeout = RequestError.Deadline(timeoutMs) }, cancellationToken);

}
