using System.Runtime.CompilerServices;

namespace Sidewinder.Interop.Tests.Functions;

[Collection(PythonTests.Name)]
public sealed class FunctionTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    /// <summary>Runs statements with a module registered under a unique name bound to <c>m</c>, returning the value of <c>result</c>.</summary>
    private static string Run(Python py, PyModule module, string code)
    {
        py.RegisterModule(module);
        using var globals = py.NewGlobals();
        using var compiled = py.Compile($"import {module.Name} as m\n{code}", "<test>", CompileMode.Exec);
        py.Execute(compiled, globals);
        using var result = globals.GetItem("result");
        return result.Str();
    }

    private static string UniqueName([CallerMemberName] string name = "") => "sw_test_" + name.ToLowerInvariant();

    [Fact]
    public void TypedFunctions_ImportedAndCalledFromPython_ConvertArgumentsAndResults()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("add", (long a, long b) => a + b, "Adds two ints.");
        module.AddFunction("greet", (string name) => $"hello {name}");
        module.AddFunction("scale", (double[] values, double factor) => values.Select(v => v * factor).ToList());
        module.AddFunction("answer", () => 42);
        Assert.Equal("5|hello py|[1.0, 3.0]|42|Adds two ints.|sw_test_typedfunctions_importedandcalledfrompython_convertargumentsandresults",
            Run(py, module, "result = '|'.join(map(str, [m.add(2, 3), m.greet('py'), m.scale([0.5, 1.5], 2), m.answer(), m.add.__doc__, m.add.__module__]))"));
    }

    [Fact]
    public void RawFunction_ReadsPositionalAndKeywordArguments()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("describe", (p, args) =>
        {
            var text = $"{args.Count} positional, {args.KeywordCount} keyword, sep={args.Get("sep", "-")}, first={(args.Count > 0 ? args[0].Repr() : "none")}";
            using var kwargs = args.KeywordsToDict();
            using var tuple = args.ToTuple();
            return p.Str(text + $", args={tuple.ToString()}, kwargs={kwargs.ToString()}");
        });
        Assert.Equal("2 positional, 1 keyword, sep=/, first='a', args=('a', 1), kwargs={'sep': '/'}",
            Run(py, module, "result = m.describe('a', 1, sep='/')"));
        Assert.Equal("0 positional, 0 keyword, sep=-, first=none, args=(), kwargs={}", Run(py, module, "result = m.describe()"));
    }

    [Fact]
    public void RawFunction_ReturningAnArgumentClone_KeepsItAlive()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("identity", (_, args) => args[0].Clone());
        module.AddFunction("nothing", (_, _) => default);
        Assert.Equal("True None", Run(py, module, "o = object()\nresult = f'{m.identity(o) is o} {m.nothing()}'"));
    }

    [Theory]
    [InlineData("argument", "ValueError", "bad value")]
    [InlineData("key", "KeyError", "'missing'")]
    [InlineData("cast", "TypeError", "wrong type")]
    [InlineData("invalid", "RuntimeError", "not now")]
    [InlineData("raise", "KeyError", "'chosen'")]
    [InlineData("custom", "decimal.InvalidOperation", "from .NET")]
    public void DotNetException_BecomesMappedPythonException_WithMessageAndNote(string kind, string pythonType, string message)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName() + "_" + kind);
        module.AddFunction("fail", (string k) => k switch
        {
            "argument" => throw new ArgumentException("bad value"),
            "key" => throw new KeyNotFoundException("missing"),
            "cast" => throw new InvalidCastException("wrong type"),
            "invalid" => throw new InvalidOperationException("not now"),
            "raise" => throw PythonException.Raise("KeyError", "chosen"),
            _ => Fail(),
        });
        var result = Run(py, module, $$"""
            import traceback
            try:
                m.fail('{{kind}}')
            except BaseException as e:
                t = type(e)
                name = t.__qualname__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__qualname__
                notes = getattr(e, '__notes__', [])
                result = f"{name}|{e}|{len(notes)}|{'.NET' in notes[0] and 'fail()' in notes[0]}"
            """);
        Assert.Equal($"{pythonType}|{message}|1|True", result);
    }

    private static int Fail() => throw PythonException.Raise("decimal.InvalidOperation", "from .NET");

    [Fact]
    public void WrongArguments_AreTypeErrors()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("twice", (int x) => x * 2);
        Assert.Equal("TypeError|TypeError|TypeError", Run(py, module, """
            out = []
            for call in (lambda: m.twice(), lambda: m.twice(1, 2), lambda: m.twice('x'), ):
                try:
                    call()
                except Exception as e:
                    out.append(type(e).__name__)
            result = '|'.join(out)
            """));
    }

    [Fact]
    public void Reentrancy_PythonToDotNetToPythonToDotNet_Works()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("inc", (long x) => x + 1);
        module.AddFunction("apply", (p, args) =>
        {
            // Calls back into the Python callable it was given, which calls inc() again.
            using var value = p.Int(args.Get<long>(1));
            return args[0].Call(value);
        });
        Assert.Equal("12", Run(py, module, "result = m.apply(lambda v: m.inc(m.inc(v)), 10)"));
    }

    [Fact]
    public void PythonErrorInsideCallback_ReachesPythonAsItsOwnType()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("call", (_, args) => args[0].Call());
        Assert.Equal("ZeroDivisionError|division by zero|True", Run(py, module, """
            try:
                m.call(lambda: 1 / 0)
            except ZeroDivisionError as e:
                result = f"{type(e).__name__}|{e}|{'in <lambda>' in e.__notes__[0]}"
            """));
    }

    [Fact]
    public void DetachInsideCallback_LetsAnotherThreadRunPython()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        var ranPython = false;
        module.AddFunction("wait_for_other_thread", () => _runtime.Attach(p => p.Detach(() =>
        {
            var other = new Thread(() => ranPython = _runtime.Attach(q =>
            {
                using var two = q.Eval("1 + 1");
                return two.GetInt64() == 2;
            }));
            other.Start();
            // On a GIL build the other thread can only attach because this one detached.
            return other.Join(TimeSpan.FromSeconds(30));
        })));
        Assert.Equal("True", Run(py, module, "result = m.wait_for_other_thread()"));
        Assert.True(ranPython);
    }

    [Fact]
    public void FunctionCalledFromAPythonThread_Works()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var module = py.NewModule(UniqueName());
        module.AddFunction("square", (long x) => x * x);
        Assert.Equal("[0, 1, 4, 9]", Run(py, module, """
            import threading
            out = [None] * 4
            def work(i):
                out[i] = m.square(i)
            threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
            for t in threads: t.start()
            for t in threads: t.join()
            result = out
            """));
    }

    [Fact]
    public void FunctionObjectCollected_ReleasesTheDelegate()
    {
        var weak = CreateAndDropFunction();
        for (var i = 0; i < 10 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(weak.IsAlive, "the capsule destructor did not free the GC handle of the delegate");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference CreateAndDropFunction()
    {
        var state = new object();
        var weak = new WeakReference(state);
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using (var function = py.NewFunction("holder", (p, _) => p.Str(state.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            using var result = function.Call();
            Assert.False(string.IsNullOrEmpty(result.GetString()));
        }
        return weak;
    }

    [Fact]
    public void PythonException_Is_MatchesTheTypeAndItsBases()
    {
        var error = Assert.Throws<PythonException>(() => _runtime.Attach(py => py.Eval("{}['k']").Dispose()));
        Assert.True(error.Is("KeyError"));
        Assert.True(error.Is("LookupError"));
        Assert.True(error.Is("Exception"));
        Assert.False(error.Is("ValueError"));
        _runtime.Attach(py =>
        {
            using var lookup = py.Eval("LookupError");
            using var value = py.Eval("ValueError");
            Assert.True(error.Is(py, lookup));
            Assert.False(error.Is(py, value));
        });
        var decode = Assert.Throws<PythonException>(() => _runtime.Attach(py => py.Eval("__import__('json').loads('{')").Dispose()));
        Assert.True(decode.Is("json.decoder.JSONDecodeError"));
        Assert.True(decode.Is("ValueError"));
    }
}
