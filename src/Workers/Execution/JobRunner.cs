using System.Collections.Concurrent;
using System.Text.Json;
using System.Globalization;
using System.Text;
using Sidewinder.Interop;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Workers.Execution;

/// <summary>What a job produced, before timings and output are attached.</summary>
internal sealed record JobRunOutcome(JobOutcome Outcome, byte[]? Value = null, string? ValueType = null,
    IReadOnlyDictionary<string, JsonElement>? Variables = null, JobError? Error = null);

/// <summary>Runs one job on the current (attached) worker thread. Never throws: every failure becomes an outcome.</summary>
internal sealed class JobRunner(PythonHost host, WorkerPoolOptions options, PyOwned captureSettings)
{
    private static readonly Dictionary<string, JsonElement> EmptyVariables = [];
    private readonly JsonBridge _json = new(options.MaxResultBytes);
    private readonly CodeCache<PyCode> _evalCode = new(static (py, source) => py.Compile(source, EvalFileName, CompileMode.Eval));
    private readonly CodeCache<PyOwned> _cells = new((py, source) => host.CompileCell(py, source, RunFileName));
    // Call jobs limited to the scripts directory: module names found there (a script stays one, so never dropped).
    private readonly ConcurrentDictionary<string, bool>? _scriptModules =
        options.CallModules == CallModuleScope.Scripts ? new(StringComparer.Ordinal) : null;
    private readonly string? _scriptsDirectory = PythonHost.ScriptsDirectory(options);

    public const string EvalFileName = "<eval>";
    public const string RunFileName = "<run>";

    /// <summary>The module name of a call job that calls a function the session itself defined.</summary>
    public const string SessionModule = "__main__";

    /// <summary>Distinct eval expressions whose compiled code is currently kept.</summary>
    public int CachedExpressions => _evalCode.Count;

    public JobRunOutcome Run(Python py, JobWorkItem item)
    {
        var (fileName, source) = item.Job switch
        {
            EvalJob eval => (EvalFileName, eval.Expression),
            RunJob run => (RunFileName, run.Code),
            _ => ((string?)null, (string?)null),
        };
        if (source is not null && source.Contains('\0', StringComparison.Ordinal))
        {
            return new JobRunOutcome(JobOutcome.Error, Error: JobErrors.Of(JobErrorTypes.InvalidJob,
                $"The code contains a NUL character (U+0000) at position {source.IndexOf('\0', StringComparison.Ordinal)}; Python source cannot contain null bytes."));
        }
        try
        {
            host.Begin(py, captureSettings, item);
            return item.Job switch
            {
                EvalJob eval => Eval(py, eval),
                RunJob run => RunCell(py, run),
                CallJob call => Call(py, call),
                ReleaseSessionJob release => Release(py, release.Session!),
                _ => new JobRunOutcome(JobOutcome.Error, Error: JobErrors.Of(JobErrorTypes.InvalidJob, "Unknown job type " + item.Job.GetType().Name + ".")),
            };
        }
        catch (PythonException ex) when (ex.PythonType == PythonHost.DeadlineExceededType)
        {
            return Interrupted(item);
        }
        catch (PythonException ex)
        {
            return new JobRunOutcome(JobOutcome.Error, Error: JobErrors.FromPython(ex, fileName, source, item.Job.Session is not null));
        }
        catch (JobConversionException ex)
        {
            return new JobRunOutcome(JobOutcome.Error, Error: JobErrors.Of(JobErrorTypes.Conversion, ex.Message));
        }
        catch (InvalidJobException ex)
        {
            return new JobRunOutcome(JobOutcome.Error, Error: JobErrors.Of(JobErrorTypes.InvalidJob, ex.Message));
        }
#pragma warning disable CA1031 // A worker must survive any failure; the job reports it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new JobRunOutcome(JobOutcome.Error, Error: JobErrors.Of(JobErrorTypes.Internal, ex.GetType().Name + ": " + ex.Message));
        }
        finally
        {
            if (item.Job is { Session: { } session } and not ReleaseSessionJob)
            {
                Describe(py, session);
            }
        }
    }

    /// <summary>Records the session's globals (names and types) for <c>GET /sessions/{id}</c>, whatever the job's outcome:
    /// a failed cell may have bound names before it raised.</summary>
    private void Describe(Python py, PythonSession session)
    {
        if (session.Globals is not { } owned)
        {
            return;
        }
        try
        {
            using var globals = owned.Bind(py);
            var (count, listed) = host.Describe(py, globals, session.ListLimit);
            session.SetVariables(listed, count);
        }
        catch (PythonException)
        {
            // an interrupt that arrived just now, or a MemoryError: the previous listing stays
        }
    }

    /// <summary>The session's globals: created (with <c>SESSION_DIR</c>) by its first job, then the same dict every time.</summary>
    private PyBound SessionGlobals(Python py, PythonSession session)
    {
        if (session.Globals is { } owned)
        {
            return owned.Bind(py);
        }
        var globals = py.NewGlobals();
        try
        {
            host.PrepareSession(py, globals, session.Files.Directory);
            session.Globals = globals.ToOwned();
            return globals;
        }
        catch
        {
            globals.Dispose();
            throw;
        }
    }

    /// <summary>Empties an ended session's namespace here, attached, so its reference cycles (every function refers to its
    /// globals) go now rather than at a later collection, and releases the dict.</summary>
    private static JobRunOutcome Release(Python py, PythonSession session)
    {
        if (session.Globals is { } owned)
        {
            using (var globals = owned.Bind(py))
            {
                globals.CallMethod("clear").Dispose();
            }
            owned.Dispose();
            session.Globals = null;
        }
        return new JobRunOutcome(JobOutcome.Ok);
    }

    public static JobRunOutcome Interrupted(JobWorkItem item) => item.CancelRequested
        ? new JobRunOutcome(JobOutcome.Cancelled, Error: JobErrors.Of(JobErrorTypes.Cancelled, "The job was cancelled while running."))
        : new JobRunOutcome(JobOutcome.Timeout, Error: JobErrors.Of(JobErrorTypes.Timeout, $"The job did not finish within {item.Timeout.TotalSeconds:0.###} s."));

    private JobRunOutcome Eval(Python py, EvalJob job)
    {
        using var globals = NewGlobals(py, job);
        try
        {
            using var code = _evalCode.Get(py, job.Expression);
            using var value = py.Evaluate(code.Code, globals);
            return Ok(value);
        }
        finally
        {
            ReleaseContents(job, globals);
        }
    }

    /// <summary>Frees what a stateless job's globals hold while the job is still running (its deadline and output capture
    /// apply), unless a thread the job started still runs; see <see cref="PythonHost.Release"/>. A session's globals are
    /// its state: they stay until the session ends.</summary>
    private void ReleaseContents(PythonJob job, PyBound globals)
    {
        if (job.Session is null)
        {
            host.Release(globals.Py, globals);
        }
    }

    private JobRunOutcome RunCell(Python py, RunJob job)
    {
        using var globals = NewGlobals(py, job);
        try
        {
            return RunCellIn(py, job, globals);
        }
        finally
        {
            ReleaseContents(job, globals);
        }
    }

    private JobRunOutcome RunCellIn(Python py, RunJob job, PyBound globals)
    {
        using var cell = _cells.Get(py, job.Code);
        using var value = host.RunCell(py, cell.Code, globals);
        if (job.Session is not null && !value.IsNull)
        {
            globals.SetItem("_", value); // the last value, as in a REPL
        }
        Dictionary<string, JsonElement>? variables = null;
        if (job.ReturnVariables is { Count: > 0 } names)
        {
            variables = new Dictionary<string, JsonElement>(names.Count, StringComparer.Ordinal);
            foreach (var name in names)
            {
                using var variable = globals.DictGet(name);
                if (!variable.IsNull)
                {
                    var json = _json.ToJson(variable);
                    using var document = JsonDocument.Parse(json);
                    variables[name] = document.RootElement.Clone();
                }
            }
        }
        return value.IsNull ? new JobRunOutcome(JobOutcome.Ok, Variables: variables) : CellValue(py, value) with { Variables = variables };
    }

    /// <summary>A cell's final value; one that JSON cannot hold (a DataFrame, a list of matplotlib artists) is no error
    /// when the cell displayed something: as in a notebook, the outputs are the result, and the value is null.</summary>
    private JobRunOutcome CellValue(Python py, PyBound value)
    {
        try
        {
            return Ok(value);
        }
        catch (JobConversionException) when (host.HasOutputs(py))
        {
            return new JobRunOutcome(JobOutcome.Ok, ValueType: host.TypeName(value));
        }
    }

    /// <summary>Why a <c>/call</c> function name is refused, with the fix for the usual mistakes.</summary>
    private static string CallableNameProblem(string module, string function)
    {
        var dot = function.LastIndexOf('.');
        if (dot > 0 && dot < function.Length - 1)
        {
            return $"'{function}' is not a callable name: 'function' is one name in 'module', without dots; send " +
                $"'module': '{module}.{function[..dot]}' and 'function': '{function[(dot + 1)..]}'.";
        }
        return function.StartsWith('_')
            ? $"'{function}' is not a callable name: names with a leading underscore are private and cannot be called."
            : $"'{function}' is not a callable name: use a Python identifier (letters, digits and underscores, not starting with a digit).";
    }

    private JobRunOutcome Call(Python py, CallJob job)
    {
        if (!IsModuleName(job.Module))
        {
            throw new InvalidJobException($"'{job.Module}' is not a valid module name.");
        }
        if (!IsIdentifier(job.Function) || job.Function.StartsWith('_'))
        {
            throw new InvalidJobException(CallableNameProblem(job.Module, job.Function));
        }
        if (_scriptModules is not null && !_scriptModules.ContainsKey(job.Module))
        {
            if (host.OutsideScripts(py, job.Module, _scriptsDirectory!))
            {
                throw new InvalidJobException($"'{job.Module}' is not a module of the scripts directory, and this service calls only those (Workers:CallModules is Scripts).");
            }
            _scriptModules.TryAdd(job.Module, true);
        }
        if (job.Session is { } session && job.Module == SessionModule)
        {
            using var globals = SessionGlobals(py, session);
            using var own = globals.DictGet(job.Function);
            return own.IsNull
                ? throw new InvalidJobException($"The session defines no '{job.Function}' (module '{SessionModule}' means the session's own globals).")
                : CallWith(py, own, job);
        }
        using var function = host.Resolve(py, job.Module, job.Function);
        if (_scriptModules is not null && !DefinedIn(function, job.Module))
        {
            throw new InvalidJobException($"'{job.Function}' is not defined by the script '{job.Module}' (it comes from elsewhere), and this service calls only what its scripts define (Workers:CallModules is Scripts).");
        }
        return CallWith(py, function, job);
    }

    private JobRunOutcome CallWith(Python py, PyBound function, CallJob job)
    {
        using var args = py.NewList();
        foreach (var arg in job.Args ?? [])
        {
            using var value = _json.FromJson(py, arg);
            args.Append(value);
        }
        using var kwargs = job.Kwargs is { Count: > 0 } ? py.NewDict() : default;
        foreach (var (name, arg) in job.Kwargs ?? EmptyVariables)
        {
            using var value = _json.FromJson(py, arg);
            kwargs.SetItem(name, value);
        }
        using var result = function.CallWithKeywords(args, kwargs);
        return Ok(result);
    }

    private static bool DefinedIn(PyBound function, string module)
    {
        using var owner = function.GetAttrOrNull("__module__");
        return !owner.IsNull && owner.Str() == module;
    }

    private PyBound NewGlobals(Python py, PythonJob job)
    {
        var globals = job.Session is { } session ? SessionGlobals(py, session) : py.NewGlobals();
        try
        {
            foreach (var (name, element) in job.Variables ?? EmptyVariables)
            {
                if (!IsIdentifier(name) || name.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new InvalidJobException($"'{name}' is not a valid variable name: use a Python identifier without a leading double underscore.");
                }
                using var value = _json.FromJson(py, element);
                globals.SetItem(name, value);
            }
            return globals;
        }
        catch
        {
            globals.Dispose();
            throw;
        }
    }

    private JobRunOutcome Ok(PyBound value) =>
        new(JobOutcome.Ok, _json.ToJson(value), host.TypeName(value));

    /// <summary>A Python identifier as the language defines it (PEP 3131: XID_Start then XID_Continue, approximated by
    /// Unicode categories), in NFKC form, since Python normalises identifiers in source to NFKC and a name that is not
    /// would never be found by the code. No trailing newline, no NUL, nothing else.</summary>
    internal static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || !name.IsNormalized(NormalizationForm.FormKC))
        {
            return false;
        }
        var first = true;
        foreach (var rune in name.EnumerateRunes()) // a lone surrogate comes out as U+FFFD, which is no letter
        {
            if (!(first ? IsIdentifierStart(rune) : IsIdentifierStart(rune) || IsIdentifierPart(rune)))
            {
                return false;
            }
            first = false;
        }
        return true;
    }

    internal static bool IsModuleName(string name)
    {
        foreach (var part in name.Split('.'))
        {
            if (!IsIdentifier(part))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsIdentifierStart(Rune c) => c.Value == '_' || Rune.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber => true,
        _ => false,
    };

    private static bool IsIdentifierPart(Rune c) => Rune.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.ConnectorPunctuation => true,
        _ => false,
    };
}

/// <summary>The job is malformed; nothing of it ran.</summary>
internal sealed class InvalidJobException(string message) : Exception(message);
