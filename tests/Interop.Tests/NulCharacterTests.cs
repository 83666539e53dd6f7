namespace Sidewinder.Interop.Tests;

/// <summary>A NUL in text handed to CPython is never silently truncated: source code raises what Python's own
/// <c>compile()</c> raises, and names passed as C strings are refused.</summary>
[Collection(PythonTests.Name)]
public sealed class NulCharacterTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Theory]
    [InlineData(CompileMode.Eval)]
    [InlineData(CompileMode.Exec)]
    [InlineData(CompileMode.Single)]
    public void Compile_SourceWithNul_RaisesWhatPythonsCompileRaises(CompileMode mode)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        // 3.11 raises ValueError, 3.12+ SyntaxError; ask this interpreter rather than hard-code either.
        using var globals = Globals(py, "def probe():\n    try:\n        compile('1\\x00+1/0', '<s>', 'eval')\n    except Exception as e:\n        return (type(e).__name__, str(e))\n");
        using var probe = globals.GetItem("probe");
        using var expected = probe.Call();
        using var zero = py.Int(0);
        using var one = py.Int(1);
        using var expectedType = expected.GetItem(zero);
        using var expectedMessage = expected.GetItem(one);

        var error = PyAssert.Throws<PythonException>(py, p => p.Compile("1\0+1/0", "<nul>", mode).Dispose());
        Assert.Equal(expectedType.GetString(), error.PythonType);
        Assert.Contains(expectedMessage.GetString(), error.PythonMessage, StringComparison.Ordinal);
        Assert.Contains("null bytes", error.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_SourceWithNul_DoesNotEvaluateTheTextBeforeIt()
    {
        using var scope = _runtime.Attach();
        // Truncated at the NUL this was "1", which evaluated to 1.
        _ = PyAssert.Throws<PythonException>(scope.Python, p => p.Eval("1\0+1/0").Dispose());
    }

    [Fact]
    public void Compile_FilenameWithNul_ThrowsArgumentException()
    {
        using var scope = _runtime.Attach();
        var error = PyAssert.Throws<ArgumentException>(scope.Python, p => p.Compile("1", "<a\0b>", CompileMode.Eval).Dispose());
        Assert.Equal("filename", error.ParamName);
    }

    [Theory]
    [InlineData("GetAttr")]
    [InlineData("GetAttrOrNull")]
    [InlineData("HasAttr")]
    [InlineData("SetAttr")]
    [InlineData("CallMethod")]
    public void AttributeName_WithNul_ThrowsArgumentException(string member)
    {
        using var scope = _runtime.Attach();
        var error = PyAssert.Throws<ArgumentException>(scope.Python, p =>
        {
            // Truncated at the NUL, "real\0junk" was "real" and GetAttr returned int.real.
            using var value = p.Int(5);
            switch (member)
            {
                case "GetAttr": value.GetAttr("real\0junk").Dispose(); break;
                case "GetAttrOrNull": value.GetAttrOrNull("real\0junk").Dispose(); break;
                case "HasAttr": _ = value.HasAttr("real\0junk"); break;
                case "SetAttr": value.SetAttr("real\0junk", value); break;
                default: value.CallMethod("bit_length\0junk").Dispose(); break;
            }
        });
        Assert.Equal("name", error.ParamName);
        Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_NameWithNul_IsNotTruncated()
    {
        using var scope = _runtime.Attach();
        // Import passes a str object, not a C string: Python looks for the whole name and finds nothing.
        var error = PyAssert.Throws<PythonException>(scope.Python, p => p.Import("json\0junk").Dispose());
        Assert.Equal("ModuleNotFoundError", error.PythonType);
    }

    private static PyBound Globals(Python py, string code)
    {
        var globals = py.NewGlobals();
        using var compiled = py.Compile(code, "<probe>", CompileMode.Exec);
        py.Execute(compiled, globals);
        return globals;
    }
}
