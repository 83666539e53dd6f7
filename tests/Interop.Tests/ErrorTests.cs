namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class ErrorTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    private PythonException Run(string source, string filename = "<run>") => _runtime.Attach(py => PyAssert.Throws<PythonException>(py, p =>
    {
        using var code = p.Compile(source, filename, CompileMode.Exec);
        using var globals = p.NewGlobals();
        p.Execute(code, globals);
    }));

    [Fact]
    public void Execute_RaisingCode_CarriesTypeMessageAndFramesWithSource()
    {
        var error = Run("def inner(x):\n    return 1 / x\n\ndef outer():\n    return inner(0)\n\nouter()\n");
        Assert.Equal("ZeroDivisionError", error.PythonType);
        Assert.Equal("division by zero", error.PythonMessage);
        Assert.Equal("ZeroDivisionError: division by zero", error.Message);
        Assert.Collection(error.Frames,
            f => Assert.Equal(new PythonFrame("<run>", 7, "<module>", "outer()"), f),
            f => Assert.Equal(new PythonFrame("<run>", 5, "outer", "return inner(0)"), f),
            f => Assert.Equal(new PythonFrame("<run>", 2, "inner", "return 1 / x"), f));
        Assert.Equal(
            "Traceback (most recent call last):\n" +
            "  File \"<run>\", line 7, in <module>\n    outer()\n" +
            "  File \"<run>\", line 5, in outer\n    return inner(0)\n" +
            "  File \"<run>\", line 2, in inner\n    return 1 / x\n" +
            "ZeroDivisionError: division by zero\n",
            error.FormattedTraceback);
    }

    [Fact]
    public void Execute_ExceptionFromStandardLibrary_HasQualifiedNameAndLibraryFrames()
    {
        var error = Run("import json\njson.loads('{bad')\n");
        Assert.Equal("json.decoder.JSONDecodeError", error.PythonType);
        Assert.Equal(new PythonFrame("<run>", 2, "<module>", "json.loads('{bad')"), error.Frames[0]);
        // Frames inside the standard library get their source from linecache.
        Assert.Contains(error.Frames.Skip(1), f => f.File.EndsWith("json/__init__.py", StringComparison.Ordinal) && f.Source is not null);
    }

    [Fact]
    public void Execute_RaiseFrom_CarriesCause()
    {
        var error = Run("try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('bad key') from e\n");
        Assert.Equal("ValueError", error.PythonType);
        Assert.NotNull(error.Cause);
        Assert.Equal("KeyError", error.Cause.PythonType);
        Assert.Equal("'k'", error.Cause.PythonMessage);
        Assert.Same(error.Cause, error.InnerException);
        Assert.Contains("The above exception was the direct cause of the following exception:", error.FormattedTraceback, StringComparison.Ordinal);
    }

    [Fact]
    public void Execute_RaiseDuringHandling_CarriesContext()
    {
        var error = Run("try:\n    1/0\nexcept ZeroDivisionError:\n    undefined_name\n");
        Assert.Equal("NameError", error.PythonType);
        Assert.Null(error.Cause);
        Assert.NotNull(error.Context);
        Assert.Equal("ZeroDivisionError", error.Context.PythonType);
        Assert.Contains("During handling of the above exception, another exception occurred:", error.FormattedTraceback, StringComparison.Ordinal);
    }

    [Fact]
    public void Execute_RaiseFromNone_SuppressesContext()
    {
        var error = Run("try:\n    1/0\nexcept ZeroDivisionError:\n    raise RuntimeError('clean') from None\n");
        Assert.True(error.SuppressContext);
        Assert.Null(error.InnerException);
        Assert.DoesNotContain("ZeroDivisionError", error.FormattedTraceback, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SyntaxError_CarriesLineOffsetAndText()
    {
        var error = Assert.IsType<PythonSyntaxError>(_runtime.Attach(py =>
            PyAssert.Throws<PythonException>(py, p => p.Compile("x = 1\ny = (2 +\n", "<snippet>", CompileMode.Exec).Dispose())));
        Assert.Equal("SyntaxError", error.PythonType);
        Assert.Equal("<snippet>", error.FileName);
        Assert.Equal(2, error.Line);
        Assert.Equal(5, error.Offset);
        Assert.Equal("y = (2 +", error.Text?.TrimEnd());
        Assert.Contains("never closed", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_IndentationError_IsSyntaxErrorSubclass()
    {
        var error = Assert.IsType<PythonSyntaxError>(_runtime.Attach(py =>
            PyAssert.Throws<PythonException>(py, p => p.Compile("if True:\nprint(1)\n", "<indent>", CompileMode.Exec).Dispose())));
        Assert.Equal("IndentationError", error.PythonType);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Execute_DeepRecursion_IsRecursionErrorWithBoundedFrames()
    {
        var error = Run("def f(n):\n    return f(n + 1)\nf(0)\n");
        Assert.Equal("RecursionError", error.PythonType);
        Assert.True(error.Frames.Count <= 100);
        Assert.True(error.OmittedFrames > 0);
        Assert.Contains("more frames", error.FormattedTraceback, StringComparison.Ordinal);
    }

    [Fact]
    public void Exception_NeverCarriesFrameLocals()
    {
        var error = Run("def leak():\n    secret = 'hunter2-password'\n    raise RuntimeError('boom')\nleak()\n");
        Assert.DoesNotContain("hunter2", error.FormattedTraceback, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
        Assert.All(error.Frames, f => Assert.DoesNotContain("hunter2", f.Source ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public void Exception_BrokenStr_StillConverts()
    {
        var error = Run("class Odd(Exception):\n    def __str__(self):\n        raise ValueError('no str')\nraise Odd()\n");
        Assert.Equal("Odd", error.PythonType);
        Assert.Equal("<exception str() failed>", error.PythonMessage);
    }

    [Fact]
    public void Exception_SystemExit_IsReportedNotFatal()
    {
        var error = Run("import sys\nsys.exit(3)\n");
        Assert.Equal("SystemExit", error.PythonType);
        Assert.Equal("3", error.PythonMessage);
        // The interpreter is still alive.
        Assert.Equal(2, _runtime.Attach(py => { using var v = py.Eval("1+1"); return v.GetInt64(); }));
    }

    [Fact]
    public void Exception_ErrorIndicatorIsClearedAfterThrow()
    {
        _ = Run("raise KeyError('x')");
        var pending = _runtime.Attach(static _ => !Interop.Native.Errors.PyErr_Occurred().IsNull);
        Assert.False(pending);
    }
}
