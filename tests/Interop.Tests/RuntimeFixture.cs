namespace Sidewinder.Interop.Tests;

/// <summary>One interpreter for the whole test assembly: CPython initialises once per process.
/// Which runtime is chosen by <c>SIDEWINDER_PYTHON</c> (the test script runs the suite once per runtime).</summary>
public sealed class RuntimeFixture : IDisposable
{
    public RuntimeFixture() => Runtime = PythonRuntime.Start();

    public PythonRuntime Runtime { get; }

    public void Dispose() => Runtime.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PythonTests : ICollectionFixture<RuntimeFixture>
{
    public const string Name = "python";
}
