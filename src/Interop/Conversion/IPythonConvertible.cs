namespace Sidewinder.Interop;

/// <summary>A .NET type that knows how to become a Python object (PyO3's <c>IntoPyObject</c>). Implement it on your own
/// types; <see cref="Python.ToPython{T}(T)"/> and every typed collection method then accept them.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IToPython<TSelf>
{
    /// <summary>A new Python object for <paramref name="value"/>; the caller owns (disposes) it.</summary>
    static abstract PyBound ToPython(Python py, TSelf value);
}

/// <summary>A .NET type that can be read out of a Python object (PyO3's <c>FromPyObject</c>/<c>extract</c>).</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IFromPython<TSelf>
{
    /// <summary>Reads <paramref name="obj"/> (borrowed: do not dispose it). Throw <see cref="InvalidCastException"/> for
    /// an object of the wrong type; it becomes a <c>TypeError</c> when it crosses into Python.</summary>
    static abstract TSelf FromPython(PyBound obj);
}

/// <summary>Why the generic conversions carry trimming/AOT annotations: composite types (<c>List&lt;T&gt;</c>, arrays,
/// dictionaries, tuples, nullables) and user types are resolved once per type through reflection.</summary>
internal static class ConversionAot
{
    public const string Reason =
        "Converters for composite and user-defined types are built once per type with MakeGenericType; primitives, string, byte[] and arrays of primitives do not need it, but the generic entry point cannot tell ahead of time.";
}
