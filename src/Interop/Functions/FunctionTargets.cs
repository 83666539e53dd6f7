using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;

namespace Sidewinder.Interop.Functions;

/// <summary>What a Python function object built from .NET calls; kept alive by a GC handle the function's capsule owns.</summary>
internal abstract class FunctionTarget(PythonInterpreter interpreter, string name)
{
    /// <summary>The interpreter the function object was made in (the only one that can call it).</summary>
    public PythonInterpreter Interpreter { get; } = interpreter;

    public string Name { get; } = name;

    public abstract PyBound Invoke(Python py, PyArguments args);
}

internal sealed class RawTarget(PythonInterpreter interpreter, string name, PythonFunction function) : FunctionTarget(interpreter, name)
{
    public override PyBound Invoke(Python py, PyArguments args) => function(py, args);
}

// Typed targets convert with the same converters as Extract/ToPython. Each is created under the conversion
// annotations (the public AddFunction overloads carry them), hence the suppressions.

internal sealed class Target<TResult>(PythonInterpreter interpreter, string name, Func<TResult> function) : FunctionTarget(interpreter, name)
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created under the conversion annotations.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created under the conversion annotations.")]
    public override PyBound Invoke(Python py, PyArguments args)
    {
        args.Expect(0, Name);
        return Converters<TResult>.Instance.ToPython(py, function());
    }
}

internal sealed class Target<T1, TResult>(PythonInterpreter interpreter, string name, Func<T1, TResult> function) : FunctionTarget(interpreter, name)
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created under the conversion annotations.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created under the conversion annotations.")]
    public override PyBound Invoke(Python py, PyArguments args)
    {
        args.Expect(1, Name);
        return Converters<TResult>.Instance.ToPython(py, function(Converters<T1>.Instance.FromPython(args[0])));
    }
}

internal sealed class Target<T1, T2, TResult>(PythonInterpreter interpreter, string name, Func<T1, T2, TResult> function) : FunctionTarget(interpreter, name)
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created under the conversion annotations.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created under the conversion annotations.")]
    public override PyBound Invoke(Python py, PyArguments args)
    {
        args.Expect(2, Name);
        var a = Converters<T1>.Instance.FromPython(args[0]);
        var b = Converters<T2>.Instance.FromPython(args[1]);
        return Converters<TResult>.Instance.ToPython(py, function(a, b));
    }
}

internal sealed class Target<T1, T2, T3, TResult>(PythonInterpreter interpreter, string name, Func<T1, T2, T3, TResult> function) : FunctionTarget(interpreter, name)
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created under the conversion annotations.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created under the conversion annotations.")]
    public override PyBound Invoke(Python py, PyArguments args)
    {
        args.Expect(3, Name);
        var a = Converters<T1>.Instance.FromPython(args[0]);
        var b = Converters<T2>.Instance.FromPython(args[1]);
        var c = Converters<T3>.Instance.FromPython(args[2]);
        return Converters<TResult>.Instance.ToPython(py, function(a, b, c));
    }
}

internal sealed class ActionTarget<T1>(PythonInterpreter interpreter, string name, Action<T1> action) : FunctionTarget(interpreter, name)
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created under the conversion annotations.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created under the conversion annotations.")]
    public override PyBound Invoke(Python py, PyArguments args)
    {
        args.Expect(1, Name);
        action(Converters<T1>.Instance.FromPython(args[0]));
        return py.None;
    }
}
