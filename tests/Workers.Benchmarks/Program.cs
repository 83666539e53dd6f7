using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project tests/Workers.Benchmarks -- --filter '*'
// The runtime under test is chosen like everywhere else: SIDEWINDER_PYTHON=3.13t selects the free-threaded build.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
