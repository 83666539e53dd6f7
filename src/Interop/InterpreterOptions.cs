namespace Sidewinder.Interop;

/// <summary>How <see cref="PythonRuntime.CreateInterpreter"/> makes a sub-interpreter (CPython's <c>PyInterpreterConfig</c>).</summary>
/// <remarks>Extension modules are always checked: one with single-phase initialisation (numpy today, numpy#24755) refuses
/// to import in a sub-interpreter with an <c>ImportError</c> ("does not support loading in subinterpreters") instead of
/// sharing its C globals between interpreters.</remarks>
public sealed record InterpreterOptions
{
    /// <summary>A GIL (and an object allocator) of its own, so it runs Python in parallel with the other interpreters
    /// (<c>PyInterpreterConfig_OWN_GIL</c>). Default true; false shares the main interpreter's GIL.</summary>
    public bool OwnGil { get; init; } = true;

    /// <summary>Code may start threads (<c>threading</c>). Default true.</summary>
    public bool AllowThreads { get; init; } = true;

    /// <summary>Code may start daemon threads. Default false (CPython's default for isolated sub-interpreters).</summary>
    public bool AllowDaemonThreads { get; init; }

    /// <summary><c>os.fork()</c> is allowed. Default false.</summary>
    public bool AllowFork { get; init; }

    /// <summary><c>os.exec*()</c> and <c>subprocess</c> are allowed. Default false (CPython's default for isolated
    /// sub-interpreters), which makes <c>os.exec*()</c> and <c>subprocess</c>'s fork-exec path raise RuntimeError. It is not a
    /// sandbox: CPython does not check it in <c>os.posix_spawn</c>, which <c>subprocess</c> itself uses for simple calls on 3.13+.</summary>
    public bool AllowExec { get; init; }
}
