using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>The rich-output and streaming side of the host: the <c>sidewinder</c> display module, the event emitter,
/// and reading outputs back.</summary>
internal sealed partial class PythonHost
{
    /// <summary>The public module jobs import <c>display</c> from.</summary>
    public const string DisplayModuleName = "sidewinder";

    private JobEventRouter Router { get; init; } = null!;
    private readonly PyOwned _hasOutputs;

    /// <summary>Loads sidewinder_display.py as the <c>sidewinder</c> module (on the host's private builtins, like the
    /// host itself), makes <c>display</c> a builtin, and gives the host a .NET function to pass events to.</summary>
    private static JobEventRouter InstallDisplay(Python py, PyBound host, PyBound privateBuiltins)
    {
        using var stream = typeof(PythonHost).Assembly.GetManifestResourceStream("Sidewinder.Workers.sidewinder_display.py")
            ?? throw new InvalidOperationException("The embedded sidewinder_display.py resource is missing.");
        using var reader = new StreamReader(stream);
        using var types = py.Import("types");
        using var moduleType = types.GetAttr("ModuleType");
        using var name = py.Str(DisplayModuleName);
        using var module = moduleType.Call(name);
        using var globals = module.GetAttr("__dict__");
        globals.SetItem("__builtins__", privateBuiltins);
        using var code = py.Compile(reader.ReadToEnd(), "<sidewinder-display>", CompileMode.Exec);
        py.Execute(code, globals);
        using var install = host.GetAttr("install_display");
        install.Call(module).Dispose();

        var router = new JobEventRouter();
        using var emit = py.NewFunction("emit", (_, args) =>
        {
            router.Emit(args[0]);
            return default; // None
        });
        using var setEmitter = host.GetAttr("set_emitter");
        setEmitter.Call(emit).Dispose();
        return router;
    }

    /// <summary>A pool's capture limits in the form <see cref="Begin"/> takes; made once per pool. The fourth item is
    /// the job's event token: none here, a number for a job with an event stream (the host module makes that tuple).</summary>
    public static PyOwned CaptureSettings(Python py, int maxOutputChars, int maxRecords, int maxRichBytes)
    {
        using var limitValue = py.Int(maxOutputChars);
        using var recordsValue = py.Int(maxRecords);
        using var richValue = py.Int(maxRichBytes);
        using var noneValue = py.None;
        using var limit = limitValue.ToOwned();
        using var records = recordsValue.ToOwned();
        using var rich = richValue.ToOwned();
        using var none = noneValue.ToOwned();
        using var settings = py.NewTuple(limit, records, rich, none);
        return settings.ToOwned();
    }

    /// <summary>Stops routing the job's events (a thread it started may still write; that goes nowhere now).</summary>
    public void EndEvents(JobWorkItem item)
    {
        if (item.EventToken != 0)
        {
            Router.Unregister(item.EventToken);
            item.EventToken = 0;
        }
    }

    /// <summary>True when the calling thread's job has displayed something.</summary>
    public bool HasOutputs(Python py)
    {
        using var has = _hasOutputs.Bind(py);
        using var result = has.Call();
        return result.IsTrue();
    }

    private static List<RichOutput>? ReadOutputs(PyBound summary, out bool truncated)
    {
        using var flag = summary.GetAttr("outputs_truncated");
        truncated = flag.IsTrue();
        using var list = summary.GetAttr("outputs");
        if (list.IsNone)
        {
            return null;
        }
        var outputs = new List<RichOutput>();
        foreach (var entry in list.Iterate())
        {
            outputs.Add(RichOutput.Parse(entry.GetString()));
        }
        return outputs;
    }
}
