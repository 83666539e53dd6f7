using System.Reflection;
using Microsoft.Extensions.Logging;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>The Python side of the pool: the <c>_sidewinder_host</c> module (output routers, logging handler,
/// cell runner, script resolver) and handles to its functions.</summary>
/// <remarks>Loaded once into the main interpreter and shared by every pool over the runtime: the module installs the
/// interpreter-wide <c>sys.stdout</c>/<c>sys.stderr</c> routers, so a second load there would be pointless. Each
/// sub-interpreter (Workers:Isolation=Interpreter) gets its own host (<see cref="LoadInto"/>).</remarks>
internal sealed partial class PythonHost
{
    public const string ModuleName = "_sidewinder_host";

    /// <summary>The filename of the host module's code; its frames are dropped from job tracebacks.</summary>
    public const string FileName = "<sidewinder-host>";

    /// <summary>Qualified name of the deadline exception type, as <see cref="PythonException.PythonType"/> reports it.</summary>
    public const string DeadlineExceededType = ModuleName + ".DeadlineExceeded";

    private static readonly Lock s_gate = new();
    private static PythonHost? s_instance;

    private static PyOwned? s_module;

    private readonly PyOwned _begin, _end, _release, _absorb, _peek, _compileCell, _runCell, _resolve, _outsideScripts, _noValue;
    private readonly PyOwned _getTrace, _setTrace, _getProfile, _setProfile;
    private readonly PyOwned _sessionNamespace, _describe;
    private readonly PyOwned? _isGilEnabled;
    private readonly DictWatch _builtinsWatch, _modulesWatch, _sysWatch, _threadingWatch, _osWatch, _loggingWatch;
    private readonly (PyOwned Type, string Name)[] _commonTypes;

    private PythonHost(PyBound module)
    {
        _hasOutputs = Attr(module, "has_outputs");
        _begin = Attr(module, "begin");
        _end = Attr(module, "end");
        _release = Attr(module, "release");
        _absorb = Attr(module, "absorb");
        _peek = Attr(module, "peek");
        _compileCell = Attr(module, "compile_cell");
        _runCell = Attr(module, "run_cell");
        _resolve = Attr(module, "resolve");
        _outsideScripts = Attr(module, "outside_scripts");
        _noValue = Attr(module, "_NO_VALUE");
        _sessionNamespace = Attr(module, "session_namespace");
        _describe = Attr(module, "describe");
        DeadlineExceeded = Attr(module, "DeadlineExceeded");
        _commonTypes = CommonTypes(module.Py);
        var py = module.Py;
        // The originals, held here: a job may replace the sys attributes, never these references.
        using var sys = py.Import("sys");
        _getTrace = Attr(sys, "gettrace");
        _setTrace = Attr(sys, "settrace");
        _getProfile = Attr(sys, "getprofile");
        _setProfile = Attr(sys, "setprofile");
        _isGilEnabled = py.Info.IsFreeThreaded && sys.HasAttr("_is_gil_enabled") ? Attr(sys, "_is_gil_enabled") : null;
        using var builtins = py.Import("builtins");
        using var builtinsDict = builtins.GetAttr("__dict__");
        _builtinsWatch = DictWatch.Start(builtinsDict);
        using var modules = sys.GetAttr("modules");
        _modulesWatch = DictWatch.Start(modules); // imports count: a new module is protected from then on
        using var sysDict = sys.GetAttr("__dict__");
        _sysWatch = DictWatch.Start(sysDict);
        using var threading = py.Import("threading");
        using var threadingDict = threading.GetAttr("__dict__");
        _threadingWatch = DictWatch.Start(threadingDict);
        using var os = py.Import("os");
        using var osDict = os.GetAttr("__dict__");
        _osWatch = DictWatch.Start(osDict); // os.chdir / os.fchdir replaced
        using var logging = py.Import("logging");
        using var loggingDict = logging.GetAttr("__dict__");
        _loggingWatch = DictWatch.Start(loggingDict); // logging.root replaced
    }

    /// <summary>The <c>DeadlineExceeded</c> type (a BaseException subclass) the watchdog raises asynchronously.</summary>
    public PyOwned DeadlineExceeded { get; }

    /// <summary>Loads the host module into the main interpreter on first use (attaching the calling thread) and applies the
    /// pool's scripts directory; the first pool also sets the Python log level and the collector's threshold.</summary>
    public static PythonHost GetOrLoad(PythonRuntime runtime, WorkerPoolOptions options, ILogger pythonLogger)
    {
        // Locked before attaching: a thread waiting for a lock while attached would stall stop-the-world pauses.
        lock (s_gate)
        {
            using var scope = runtime.Attach();
            var py = scope.Python;
            if (s_instance is not null)
            {
                using var loaded = s_module!.Bind(py);
                Configure(py, loaded, options, pythonLogger, first: false);
                return s_instance;
            }
            s_instance = Load(py, options, pythonLogger, out s_module);
            return s_instance;
        }
    }

    /// <summary>Loads a host of its own into a sub-interpreter (Workers:Isolation=Interpreter): every interpreter has its
    /// own <c>sys</c>, builtins and logging, so its host configures them as the first pool does for the main one.</summary>
    public static PythonHost LoadInto(PythonInterpreter interpreter, WorkerPoolOptions options, ILogger pythonLogger)
    {
        using var scope = interpreter.Attach();
        var host = Load(scope.Python, options, pythonLogger, out var module);
        module.Dispose(); // the host holds what it needs of it; the module object itself lives on in its functions
        return host;
    }

    private static PythonHost Load(Python py, WorkerPoolOptions options, ILogger pythonLogger, out PyOwned moduleHandle)
    {
        using var stream = typeof(PythonHost).Assembly.GetManifestResourceStream("Sidewinder.Workers.sidewinder_host.py")
            ?? throw new InvalidOperationException("The embedded _sidewinder_host.py resource is missing.");
        using var reader = new StreamReader(stream);
        var source = reader.ReadToEnd();

        using var types = py.Import("types");
        using var moduleType = types.GetAttr("ModuleType");
        using var name = py.Str(ModuleName);
        using var module = moduleType.Call(name);
        using var globals = module.GetAttr("__dict__");
        // The host runs on builtins of its own, so a job that breaks the shared ones (builtins.len = None) cannot
        // break the code that ends every job; and it is in no sys.modules entry, so no job imports it by accident.
        using var builtins = py.Import("builtins");
        using var sharedBuiltins = builtins.GetAttr("__dict__");
        using var copy = sharedBuiltins.CallMethod("copy");
        globals.SetItem("__builtins__", copy);
        using var code = py.Compile(source, FileName, CompileMode.Exec);
        py.Execute(code, globals);
        moduleHandle = module.ToOwned();
        var router = InstallDisplay(py, module, copy);

        Configure(py, module, options, pythonLogger, first: true);
        return new PythonHost(module)
        {
            ImmortalizesNewObjects = py.Info.IsFreeThreaded && !StopImmortalizing(module),
            Router = router,
        };
    }

    private static void Configure(Python py, PyBound module, WorkerPoolOptions options, ILogger pythonLogger, bool first)
    {
        using var configure = module.GetAttr("configure");
        using var scripts = options.ScriptsDirectory is null ? py.None : py.Str(ScriptsDirectory(options)!);
        // Only the first pool sets the Python root logger level and the collector's threshold: both are process-wide.
        using var level = first ? py.Int(options.ResolvePythonLevel(pythonLogger)) : py.None;
        using var gcThreshold = first && options.GcThreshold is { } threshold ? py.Int(threshold) : py.None;
        if (first && RecursionCap(py, options) is { } cap)
        {
            using var capRecursion = module.GetAttr("cap_recursion");
            using var capValue = py.Int(cap);
            capRecursion.Call(capValue).Dispose(); // before configure() takes the state that jobs are given back
        }
        configure.Call(scripts, level, gcThreshold).Dispose();
    }

    /// <summary>The highest recursion limit a job may set on 3.11, whose only guard against C stack overflow is the
    /// recursion limit itself; null on 3.12+, which has a C recursion limit of its own. About 2 KiB of stack per level
    /// (a Python __repr__ called from C's repr takes well over 1 KiB on 3.11): 8,192 for the default 16 MiB stack.</summary>
    internal static int? RecursionCap(Python py, WorkerPoolOptions options) =>
        py.Info.Version < new Version(3, 12) ? Math.Max(1000, options.WorkerStackSize / 2048) : null;

    /// <summary>True on a free-threaded 3.13 build where new code objects, functions and classes stay immortal (so each
    /// job's compiled code is never freed) because the switch that stops it (<c>_testinternalcapi</c>) is missing.</summary>
    public bool ImmortalizesNewObjects { get; private init; }

    private static bool StopImmortalizing(PyBound module)
    {
        using var stop = module.GetAttr("stop_immortalizing");
        using var stopped = stop.Call();
        return stopped.IsTrue();
    }

    /// <summary>Starts capturing the calling thread's output, log records and rich outputs, and routes them to the
    /// job's event stream if it has one.</summary>
    public void Begin(Python py, PyOwned captureSettings, JobWorkItem item)
    {
        using var begin = _begin.Bind(py);
        if (item.Job.Events is { } events)
        {
            item.EventToken = Router.Register(events);
            using var shared = captureSettings.Bind(py);
            using var token = py.Int(item.EventToken);
            begin.Call(shared, token).Dispose();
            return;
        }
        using var settings = captureSettings.Bind(py);
        begin.Call(settings).Dispose();
    }

    /// <summary>Ends the calling thread's capture: its output, its log records (into <paramref name="records"/>), the
    /// records emitted meanwhile on threads without a job (into <paramref name="orphans"/>), and what the job changed of
    /// the process-wide state and the host put back (<paramref name="restored"/>, null when nothing).</summary>
    /// <remarks>First the job's trace and profile functions go (they would run inside the host's own code), then the
    /// host restores the shared state; the two big dicts only when their watches saw a change.</remarks>
    public CapturedOutput End(Python py, List<PythonLogRecord> records, List<PythonLogRecord> orphans, out int droppedRecords,
        out string? restored)
    {
        ResetHook(py, _getTrace, _setTrace);
        ResetHook(py, _getProfile, _setProfile);
        // Reset before restoring: a change another job makes meanwhile is then seen at the next job's end.
        // Bits as sidewinder_host.py's CHANGED_* constants.
        var changed = (Changed(py, _builtinsWatch) ? 1 : 0) | (Changed(py, _modulesWatch) ? 2 : 0)
            | (Changed(py, _sysWatch) ? 4 : 0) | (Changed(py, _threadingWatch) ? 8 : 0) | (Changed(py, _osWatch) ? 16 : 0)
            | (Changed(py, _loggingWatch) ? 32 : 0);
        using var end = _end.Bind(py);
        using var flags = py.Int(changed);
        using var summary = end.Call(flags);
        restored = null;
        droppedRecords = 0;
        if (summary.IsNone)
        {
            return CapturedOutput.Empty; // nothing printed, logged or changed: the usual case, and no conversions
        }
        using var orphanList = summary.GetAttr("orphans");
        if (!orphanList.IsNone)
        {
            ReadRecords(orphanList, orphans);
        }
        using var restoredList = summary.GetAttr("restored");
        if (!restoredList.IsNone)
        {
            using var separator = py.Str(", ");
            using var joined = separator.CallMethod("join", restoredList);
            restored = joined.GetString();
        }
        return Read(summary, records, out droppedRecords);
    }

    private static bool Changed(Python py, DictWatch watch)
    {
        if (!watch.Changed(py))
        {
            return false;
        }
        watch.Reset(py);
        return true;
    }

    /// <summary>Removes the calling thread's trace (or profile) function if the job left one. Calls the builtins
    /// directly from C#, so no Python frame starts and the job's function never sees the host.</summary>
    private static void ResetHook(Python py, PyOwned get, PyOwned set)
    {
        using var getter = get.Bind(py);
        using var current = getter.Call();
        if (!current.IsNone)
        {
            using var setter = set.Bind(py);
            using var none = py.None;
            setter.Call(none).Dispose();
        }
    }

    /// <summary>Whether the GIL is enabled now: always on a GIL build; on a free-threaded build an extension module without
    /// free-threading support turns it on when imported. Asked on worker threads, so no request thread attaches for it.</summary>
    public bool IsGilEnabled(Python py)
    {
        if (_isGilEnabled is null)
        {
            return !py.Info.IsFreeThreaded;
        }
        using var probe = _isGilEnabled.Bind(py);
        using var enabled = probe.Call();
        return enabled.IsTrue();
    }

    /// <summary>Empties a job's globals before the job ends (so its objects' finalizers run inside it), unless a thread the
    /// job started still runs; see <c>release</c> in sidewinder_host.py.</summary>
    public void Release(Python py, PyBound globals)
    {
        using var release = _release.Bind(py);
        release.Call(globals).Dispose();
    }

    /// <summary>Lets an interrupt that was raised for a job that has ended fire here, and discards it.</summary>
    public void AbsorbInterrupt(Python py)
    {
        using var absorb = _absorb.Bind(py);
        try
        {
            absorb.Call().Dispose();
        }
        catch (PythonException ex) when (ex.PythonType == DeadlineExceededType)
        {
            // the pending interrupt, now spent
        }
    }

    /// <summary>The output so far of the job on the thread with CPython ident <paramref name="threadId"/>.</summary>
    public CapturedOutput? Peek(Python py, ulong threadId)
    {
        using var peek = _peek.Bind(py);
        using var ident = py.Int(threadId);
        using var summary = peek.Call(ident);
        return summary.IsNone ? null : Read(summary, null, out _);
    }

    /// <summary>Compiles a cell: its statements and its final bare expression, if it has one.</summary>
    /// <exception cref="PythonException">The cell does not compile.</exception>
    public PyOwned CompileCell(Python py, string source, string fileName)
    {
        using var compiled = Call(py, _compileCell, source, fileName);
        return compiled.ToOwned();
    }

    /// <summary>Runs a compiled cell; returns the final expression's value, or a null handle if the cell has none.</summary>
    public PyBound RunCell(Python py, PyOwned cell, PyBound globals)
    {
        using var run = _runCell.Bind(py);
        using var compiled = cell.Bind(py);
        var value = run.Call(compiled, globals);
        using var noValue = _noValue.Bind(py);
        if (value.Is(noValue))
        {
            value.Dispose();
            return default;
        }
        return value;
    }

    /// <summary>The function to call, importing (or reloading a changed script) as needed.</summary>
    public PyBound Resolve(Python py, string module, string function) => Call(py, _resolve, module, function);

    /// <summary>The pool's scripts directory in the form the host module knows it by (null without one).</summary>
    public static string? ScriptsDirectory(WorkerPoolOptions options) =>
        options.ScriptsDirectory is null ? null : Path.GetFullPath(options.ScriptsDirectory);

    /// <summary>True unless <paramref name="module"/> (its top-level package) is a file in <paramref name="scriptsDirectory"/>
    /// (as <see cref="ScriptsDirectory"/> gives it); imports nothing.</summary>
    public bool OutsideScripts(Python py, string module, string scriptsDirectory)
    {
        using var outside = Call(py, _outsideScripts, module, scriptsDirectory);
        return outside.IsTrue();
    }

    /// <summary>Calls one of the host's functions with two strings.</summary>
    private static PyBound Call(Python py, PyOwned function, string first, string second)
    {
        using var bound = function.Bind(py);
        using var a = py.Str(first);
        using var b = py.Str(second);
        return bound.Call(a, b);
    }

    /// <summary>The qualified type name of <paramref name="value"/>, as <see cref="PyBound.TypeName"/> gives it, but
    /// without its two attribute lookups for the builtin types that most results have.</summary>
    public string TypeName(PyBound value)
    {
        var py = value.Py;
        using var type = value.Type();
        foreach (var (common, name) in _commonTypes)
        {
            using var candidate = common.Bind(py);
            if (type.Is(candidate))
            {
                return name;
            }
        }
        return value.TypeName;
    }

    private static (PyOwned Type, string Name)[] CommonTypes(Python py)
    {
        using var builtins = py.Import("builtins");
        var types = new List<(PyOwned, string)>();
        foreach (var name in (string[])["int", "str", "float", "bool", "list", "dict", "tuple"])
        {
            using var type = builtins.GetAttr(name);
            types.Add((type.ToOwned(), name));
        }
        using var none = py.None;
        using var noneType = none.Type();
        types.Add((noneType.ToOwned(), "NoneType"));
        return [.. types];
    }

    private static CapturedOutput Read(PyBound summary, List<PythonLogRecord>? records, out int dropped)
    {
        if (summary.IsNone)
        {
            dropped = 0;
            return CapturedOutput.Empty;
        }
        using var stdout = summary.GetAttr("stdout");
        using var stdoutTruncated = summary.GetAttr("stdout_truncated");
        using var stderr = summary.GetAttr("stderr");
        using var stderrTruncated = summary.GetAttr("stderr_truncated");
        using var dropCount = summary.GetAttr("dropped");
        dropped = (int)dropCount.GetInt64();
        if (records is not null)
        {
            using var list = summary.GetAttr("records");
            if (!list.IsNone)
            {
                ReadRecords(list, records);
            }
        }
        return new CapturedOutput(stdout.GetString(), stdoutTruncated.IsTrue(), stderr.GetString(), stderrTruncated.IsTrue())
        {
            Outputs = ReadOutputs(summary, out var outputsTruncated),
            OutputsTruncated = outputsTruncated,
        };
    }

    private static void ReadRecords(PyBound list, List<PythonLogRecord> records)
    {
        foreach (var entry in list.Iterate())
        {
            using var level = entry.GetAttr("level");
            using var logger = entry.GetAttr("logger");
            using var message = entry.GetAttr("message");
            using var details = entry.GetAttr("details");
            records.Add(new PythonLogRecord((int)level.GetInt64(), logger.GetString(), message.GetString(), details.IsNone ? null : details.GetString()));
        }
    }

    private static PyOwned Attr(PyBound module, string name)
    {
        using var value = module.GetAttr(name);
        return value.ToOwned();
    }
}

/// <summary>A Python <c>logging</c> record on its way to .NET logging.</summary>
internal sealed record PythonLogRecord(int Level, string Logger, string Message, string? Details);
