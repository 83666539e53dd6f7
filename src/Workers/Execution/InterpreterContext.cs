using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>Where a job runs: an interpreter with the host module loaded into it and the runner (code caches, capture
/// settings) made for it. Every Python object the three hold belongs to <see cref="Interpreter"/>.</summary>
/// <remarks>With <see cref="WorkerIsolation.Shared"/> every worker runs in the pool's one context over the main interpreter;
/// with <see cref="WorkerIsolation.Interpreter"/> each worker has its own over a sub-interpreter, and sessions keep using
/// the main one.</remarks>
internal sealed class InterpreterContext(PythonInterpreter interpreter, PythonHost host, JobRunner runner)
{
    public PythonInterpreter Interpreter { get; } = interpreter;

    public PythonHost Host { get; } = host;

    public JobRunner Runner { get; } = runner;

    /// <summary>Makes the runner for a host loaded into <paramref name="interpreter"/>.</summary>
    public static InterpreterContext Create(PythonInterpreter interpreter, PythonHost host, WorkerPoolOptions options)
    {
        var settings = interpreter.Attach(py => PythonHost.CaptureSettings(py, options.MaxOutputChars, options.MaxLogRecordsPerJob, options.MaxRichOutputBytes));
        return new InterpreterContext(interpreter, host, new JobRunner(host, options, settings));
    }
}
