using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Functions;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

public readonly ref partial struct Python
{
    /// <summary>A Python function that calls <paramref name="function"/> (PyO3's <c>#[pyfunction]</c>).</summary>
    /// <remarks>Exceptions thrown by the function become Python exceptions (see docs/interop.md). The delegate stays alive
    /// until the Python function object is collected.</remarks>
    public PyBound NewFunction(string name, PythonFunction function, string? doc = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(function);
        return Trampolines.Create(this, new RawTarget(Interpreter, name, function), doc, default);
    }

    /// <summary>A new, empty module (PyO3's <c>#[pymodule]</c>); <see cref="RegisterModule"/> makes it importable.</summary>
    public unsafe PyModule NewModule(string name)
    {
        fixed (byte* n = PyBound.Utf8Z(name, stackalloc byte[128], nameof(name)))
        {
            return new PyModule(Own(Protocols.PyModule_New(n)));
        }
    }

    /// <summary>Puts <paramref name="module"/> into <c>sys.modules</c> under its name, so <c>import name</c> finds it.</summary>
    public void RegisterModule(PyModule module)
    {
        using var modules = PyBound.NewReference(this, Protocols.PyImport_GetModuleDict().Pointer);
        modules.SetItem(module.Name, module.AsBound);
    }
}

public readonly ref partial struct PyModule
{
    /// <summary>Adds a function that reads its arguments itself.</summary>
    public void AddFunction(string name, PythonFunction function, string? doc = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        Add(name, new RawTarget(Self.Py.Interpreter, name, function), doc);
    }

    /// <summary>Adds a function of no arguments whose result is converted to Python.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void AddFunction<TResult>(string name, Func<TResult> function, string? doc = null) =>
        Add(name, new Target<TResult>(Self.Py.Interpreter, name, function ?? throw new ArgumentNullException(nameof(function))), doc);

    /// <summary>Adds a function of one argument; arguments and result are converted like <see cref="PyBound.Extract{T}"/>
    /// and <see cref="Python.ToPython{T}(T)"/> (a wrong type is a <c>TypeError</c> in Python).</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void AddFunction<T1, TResult>(string name, Func<T1, TResult> function, string? doc = null) =>
        Add(name, new Target<T1, TResult>(Self.Py.Interpreter, name, function ?? throw new ArgumentNullException(nameof(function))), doc);

    /// <summary>Adds a function of two converted arguments.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void AddFunction<T1, T2, TResult>(string name, Func<T1, T2, TResult> function, string? doc = null) =>
        Add(name, new Target<T1, T2, TResult>(Self.Py.Interpreter, name, function ?? throw new ArgumentNullException(nameof(function))), doc);

    /// <summary>Adds a function of three converted arguments.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void AddFunction<T1, T2, T3, TResult>(string name, Func<T1, T2, T3, TResult> function, string? doc = null) =>
        Add(name, new Target<T1, T2, T3, TResult>(Self.Py.Interpreter, name, function ?? throw new ArgumentNullException(nameof(function))), doc);

    /// <summary>Adds a function of one converted argument that returns None.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public void AddAction<T1>(string name, Action<T1> action, string? doc = null) =>
        Add(name, new ActionTarget<T1>(Self.Py.Interpreter, name, action ?? throw new ArgumentNullException(nameof(action))), doc);

    private void Add(string name, FunctionTarget target, string? doc)
    {
        using var function = Trampolines.Create(Self.Py, target, doc, Self);
        Add(name, function);
    }
}
