// Embedding Python in a .NET console app with Sidewinder.Interop only:
//   dotnet run --project samples/EmbeddingSample                     (Debian's CPython 3.11, with numpy)
//   SIDEWINDER_PYTHON=3.13t dotnet run --project samples/EmbeddingSample   (free-threaded; no numpy there)
using Sidewinder.Interop;

using var runtime = PythonRuntime.Start();
Console.WriteLine($"Python {runtime.Info.Version}{(runtime.Info.IsFreeThreaded ? " (free-threaded)" : "")}");

// 1. Typed collections both ways.
var scores = new Dictionary<string, int[]> { ["ada"] = [90, 85], ["grace"] = [70, 95, 100] };
var totals = runtime.Attach(py =>
{
    using var data = py.ToPython(scores);
    using var summarise = py.Eval("lambda d: {name: sum(marks) for name, marks in d.items()}");
    using var result = summarise.Call(data);
    return result.Extract<Dictionary<string, long>>();
});
Console.WriteLine("totals: " + string.Join(", ", totals.Select(kv => $"{kv.Key}={kv.Value}")));

// 2. Two .NET functions as a module that Python imports and calls.
runtime.Attach(py =>
{
    using var module = py.NewModule("dotnet_tools");
    module.AddFunction("word_count", (string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    module.AddFunction("scale", (double[] values, double factor) => values.Select(v => v * factor).ToArray());
    py.RegisterModule(module);

    using var globals = py.NewGlobals();
    using var code = py.Compile("""
        import dotnet_tools
        words = dotnet_tools.word_count("the quick brown fox")
        scaled = dotnet_tools.scale([1.0, 2.5], 4)
        """, "<sample>", CompileMode.Exec);
    py.Execute(code, globals);
    using var words = globals.GetItem("words");
    using var scaled = globals.GetItem("scaled");
    Console.WriteLine($"word_count: {words.Extract<int>()}, scale: {scaled.Repr()}");
});

// 3. A double[] shared with Python without copying: Python writes, .NET sees it.
var samples = new double[] { 1, 2, 3, 4 };
runtime.Attach(py =>
{
    using var shared = py.ShareBuffer<double>(samples);
    using var globals = py.NewGlobals();
    globals.SetItem("shared", shared);
    var hasNumpy = TryImport(py, "numpy");
    using var code = py.Compile(hasNumpy
        ? "import numpy as np\na = np.asarray(shared)\na *= 10\nhow = 'numpy.asarray'"
        : "m = memoryview(shared)\nfor i in range(len(m)):\n    m[i] *= 10\nhow = 'memoryview (no numpy on this runtime)'", "<sample>", CompileMode.Exec);
    py.Execute(code, globals);
    using var how = globals.GetItem("how");
    Console.WriteLine($"shared through {how.GetString()}: [{string.Join(", ", samples)}]");
});

// 4. Awaiting an async def.
using (var loop = PyAsyncLoop.Start(runtime))
{
    using var globals = runtime.Attach(py =>
    {
        using var g = py.NewGlobals();
        using var code = py.Compile("import asyncio\nasync def fetch(n):\n    await asyncio.sleep(0.01)\n    return [i * i for i in range(n)]", "<sample>", CompileMode.Exec);
        py.Execute(code, g);
        return g.ToOwned();
    });
    var squares = await loop.RunAsync<List<int>>(py =>
    {
        using var g = globals.Bind(py);
        using var fetch = g.GetItem("fetch");
        using var n = py.Int(5);
        return fetch.Call(n);
    });
    Console.WriteLine("awaited fetch(5): [" + string.Join(", ", squares) + "]");
}

static bool TryImport(Python py, string name)
{
    try
    {
        py.Import(name).Dispose();
        return true;
    }
    catch (PythonException ex) when (ex.Is("ImportError"))
    {
        return false;
    }
}
