namespace Sidewinder.Interop;

/// <summary>A .NET function Python can call: reads its arguments from <paramref name="args"/> and returns a new reference
/// (dispose nothing it returns; <see cref="PyBound.Clone"/> an argument to return it; a null handle returns None).</summary>
public delegate PyBound PythonFunction(Python py, PyArguments args);
