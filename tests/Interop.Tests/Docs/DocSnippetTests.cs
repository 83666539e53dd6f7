using System.Text.RegularExpressions;

namespace Sidewinder.Interop.Tests.Docs;

/// <summary>Every C# snippet in docs/interop.md is the body of one of these tests, verbatim: the docs test checks the text,
/// the other tests compile and run it.</summary>
[Collection(PythonTests.Name)]
public sealed partial class DocSnippetTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime runtime = fixture.Runtime;

    [Fact]
    public void Attach()
    {
        // snippet: attach
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var sum = py.Eval("sum(range(10))");
        long total = sum.GetInt64();               // 45
        long waited = py.Detach(() => Environment.TickCount64); // blocking .NET work, detached
        // end snippet
        Assert.Equal(45, total);
        Assert.True(waited > 0);
    }

    [Fact]
    public void FreeThreading()
    {
        // snippet: free-threading
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var cache = py.NewDict();
        using (PyCriticalSection.Enter(cache))     // no-op on GIL builds
        {
            if (!cache.Cast<PyDict>().ContainsKey("answer"))
            {
                cache.Cast<PyDict>().Set("answer", 42);
            }
        }
        var once = new PyOnceCell<PyOwned>();      // initialiser may run Python; waiters wait detached
        using var json = once.GetOrInit(py, p => { using var m = p.Import("json"); return m.ToOwned(); }).Bind(py);
        var gate = new Lock();
        using (gate.EnterAttached(py))             // waits detached if another thread holds it
        {
        }
        // end snippet
        Assert.Equal(42, cache.Cast<PyDict>().Get<int>("answer"));
        Assert.Equal("json", json.Cast<PyModule>().Name);
    }

    [Fact]
    public void Ownership()
    {
        // snippet: ownership
        PyOwned kept;
        using (var scope = runtime.Attach())
        {
            using var list = scope.Python.Eval("[1, 2, 3]"); // PyBound: released at the end of the scope
            kept = list.ToOwned();                            // PyOwned: storable, outlives the scope
        }
        using (var scope = runtime.Attach())
        {
            using var again = kept.Bind(scope.Python);        // re-bound to a token before use
            Console.WriteLine(again.Repr());
        }
        kept.Dispose();
        // end snippet
        Assert.False(kept.IsAlive);
    }

    [Fact]
    public void Types()
    {
        // snippet: types
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval("{'xs': [1, 2, 3], 'name': 'ada'}");
        if (obj.TryCast<PyDict>(out var dict))       // the view shares obj's reference
        {
            using var xs = dict.GetItem("xs");
            var list = xs.Cast<PyList>();             // InvalidCastException if it is not a list
            long sum = 0;
            foreach (var item in list)                // no allocation; each item released as it moves on
            {
                sum += item.GetInt64();
            }
            foreach (var (key, value) in dict)        // PyDict_Next, in the dict's critical section per step
            {
                Console.WriteLine($"{key.GetString()} = {value.Repr()}");
            }
            Console.WriteLine($"{list.Count} items, sum {sum}, name {dict.Get<string>("name")}");
        }
        // end snippet
        Assert.True(obj.IsInstanceOf<PyDict>());
    }

    [Fact]
    public void Conversions()
    {
        // snippet: conversions
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var data = py.ToPython(new Dictionary<string, double[]> { ["a"] = [1.5, 2.5] });
        using var when = py.ToPython(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)); // aware datetime
        using var pair = py.ToPython((1, "one"));                 // tuple
        var back = data.Extract<Dictionary<string, double[]>>();
        var point = pair.Extract<(int Number, string Name)>();
        using var ints = py.List([1L, 2L, 3L]);                    // bulk path, no per-item handles
        using var halves = py.Eval("[0.5, 1.5]");
        double[] floats = halves.ToDoubleArray();
        // end snippet
        Assert.Equal([1.5, 2.5], back["a"]);
        Assert.Equal((1, "one"), point);
        Assert.Equal(3, ints.Count);
        Assert.Equal([0.5, 1.5], floats);
        Assert.Equal("datetime", when.TypeName.Split('.')[^1]);
    }

    [Fact]
    public void Exceptions()
    {
        string caught = "";
        // snippet: exceptions
        try
        {
            runtime.Attach(py => py.Eval("{}['missing']").Dispose());
        }
        catch (PythonException ex) when (ex.Is("LookupError"))    // KeyError is a LookupError
        {
            caught = $"{ex.PythonType}: {ex.PythonMessage}";        // KeyError: 'missing'
        }
        // Inside a .NET function called from Python, raise a chosen Python type:
        //   throw PythonException.Raise("ValueError", "width must be positive");
        // end snippet
        Assert.Equal("KeyError: 'missing'", caught);
    }

    [Fact]
    public void Functions()
    {
        // snippet: functions
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule("geometry");
        module.AddFunction("area", (double w, double h) => w > 0 ? w * h : throw new ArgumentException("w must be positive"));
        module.AddFunction("describe", (p, args) => p.Str($"{args.Count} args, unit={args.Get("unit", "m")}"));
        py.RegisterModule(module);
        using var globals = py.NewGlobals();
        using var code = py.Compile("""
            import geometry
            area = geometry.area(2, 3.5)
            text = geometry.describe(1, 2, unit='cm')
            try:
                geometry.area(-1, 1)
            except ValueError as e:
                error = str(e)
            """, "<example>", CompileMode.Exec);
        py.Execute(code, globals);
        // end snippet
        Assert.Equal(7.0, globals.Cast<PyDict>().Get<double>("area"));
        Assert.Equal("2 args, unit=cm", globals.Cast<PyDict>().Get<string>("text"));
        Assert.Equal("w must be positive", globals.Cast<PyDict>().Get<string>("error"));
    }

    [Fact]
    public void Calling()
    {
        // snippet: calling
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var builtins = py.Import("builtins");
        using var max = builtins.GetAttr("max");
        using var a = py.Int(3);
        using var b = py.Int(7);
        using var biggest = max.Call(a, b);                          // vectorcall, no tuple
        using var round = builtins.GetAttr("round");
        using var args = py.ToPython(new List<double> { 3.14159 });
        using var kwargs = py.ToPython(new Dictionary<string, int> { ["ndigits"] = 2 });
        using var rounded = round.CallWithKeywords(args, kwargs);     // round(3.14159, ndigits=2)
        using var text = py.Str("a-b");
        using var dash = py.Str("-");
        using var parts = text.CallMethod("split", dash);
        // end snippet
        Assert.Equal(7, biggest.GetInt64());
        Assert.Equal(3.14, rounded.GetDouble());
        Assert.Equal(["a", "b"], parts.Extract<string[]>());
    }

    [Fact]
    public void Executing()
    {
        // snippet: executing
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var code = py.Compile("def double(x):\n    return 2 * x\nresult = double(21)", "<script>", CompileMode.Exec);
        using var globals = py.NewGlobals();
        py.Execute(code, globals);                                   // reuse code: compiling dominates
        using var result = globals.GetItem("result");
        using var math = py.Import("math");
        using var fromModule = math.GetAttr("pi");
        // end snippet
        Assert.Equal(42, result.GetInt64());
        Assert.Equal(Math.PI, fromModule.GetDouble());
    }

    [Fact]
    public void Buffers()
    {
        // snippet: buffers
        using var scope = runtime.Attach();
        var py = scope.Python;
        using var array = py.Eval("__import__('array').array('d', [1.0, 2.0, 3.0])");
        using (var buffer = PyBuffer.Get(array, writable: true))   // pinned until disposed
        {
            Span<double> items = buffer.AsWritableSpan<double>();   // format 'd' checked
            items[0] = 10;
        }
        var samples = new double[] { 1, 2, 3 };
        using var shared = py.ShareBuffer<double>(samples);          // numpy.asarray(shared) wraps it, no copy
        using var memoryview = py.Eval("memoryview");
        using var view = memoryview.Call(shared);
        // end snippet
        Assert.Equal("array('d', [10.0, 2.0, 3.0])", array.Repr());
        using var format = view.GetAttr("format");
        Assert.Equal("d", format.GetString());
    }

    [Fact]
    public async Task Asyncio()
    {
        using var globals = runtime.Attach(py =>
        {
            using var g = py.NewGlobals();
            using var c = py.Compile("import asyncio\nasync def fetch(n):\n    await asyncio.sleep(0)\n    return n + 1", "<async>", CompileMode.Exec);
            py.Execute(c, g);
            return g.ToOwned();
        });
        // snippet: asyncio
        using var loop = PyAsyncLoop.Start(runtime);                 // an event loop on its own thread
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long answer = await loop.RunAsync<long>(py =>
        {
            using var g = globals.Bind(py);
            using var fetch = g.GetItem("fetch");
            using var n = py.Int(41);
            return fetch.Call(n);                                      // the coroutine object
        }, timeout.Token);                                             // cancelling raises CancelledError inside
        // end snippet
        Assert.Equal(42, answer);
    }

    [Fact]
    public void Docs_EverySnippetIsATestBody()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Sidewinder.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }
        var doc = File.ReadAllText(Path.Combine(root, "docs", "interop.md"));
        var tests = File.ReadAllText(Path.Combine(root, "tests", "Interop.Tests", "Docs", "DocSnippetTests.cs"));
        var inTests = TestSnippet().Matches(tests).ToDictionary(m => m.Groups[1].Value, m => Dedent(m.Groups[2].Value));
        var inDoc = DocSnippet().Matches(doc).ToDictionary(m => m.Groups[1].Value, m => Dedent(m.Groups[2].Value));
        Assert.Equal(inTests.Keys.Order(), inDoc.Keys.Order());
        foreach (var (name, text) in inDoc)
        {
            Assert.True(inTests[name] == text, $"docs/interop.md snippet '{name}' differs from its test:\n{text}\n---\n{inTests[name]}");
        }
    }

    private static string Dedent(string block)
    {
        var lines = block.Replace("\r", "", StringComparison.Ordinal).Trim('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).TrimEnd();
    }

    [GeneratedRegex(@"// snippet: ([\w-]+)\n(.*?)\n\s*// end snippet", RegexOptions.Singleline)]
    private static partial Regex TestSnippet();

    [GeneratedRegex(@"<!-- snippet: ([\w-]+) -->\n```csharp\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex DocSnippet();
}
