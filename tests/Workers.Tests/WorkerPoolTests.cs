namespace Sidewinder.Workers.Tests;

[Collection(PythonTests.Name)]
public sealed class WorkerPoolTests(PoolFixture fixture)
{
    private readonly WorkerPool _pool = fixture.Pool;

    [Fact]
    public async Task SubmitAsync_EvalWithVariables_ReturnsJsonValueAndType()
    {
        var result = await _pool.SubmitAsync(new EvalJob("{'total': sum(x * x for x in values), 'name': name.upper()}")
        {
            Variables = Json.Variables(("values", "[1, 2, 3]"), ("name", "\"ada\"")),
        });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal("dict", result.ValueType);
        Assert.Equal(14, result.Value!.Value.GetProperty("total").GetInt32());
        Assert.Equal("ADA", result.Value!.Value.GetProperty("name").GetString());
        Assert.Null(result.Error);
        Assert.NotEmpty(result.JobId);
    }

    [Fact]
    public async Task SubmitAsync_BytesWrittenToTheStreamsBuffers_AreCapturedInOrder()
    {
        var result = await _pool.SubmitAsync(new RunJob(
            "import sys\nprint('a')\nsys.stdout.buffer.write('é\\n'.encode())\nsys.stdout.buffer.flush()\nprint('b')\n" +
            "sys.stderr.buffer.write(bytearray(b'\\xff!'))\nsys.stdout.buffer.isatty()"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal("a\né\nb\n", result.Stdout);
        Assert.Equal("\ufffd!", result.Stderr);
        Assert.False(result.Value!.Value.GetBoolean());
    }

    [Fact]
    public async Task SubmitAsync_RunWithFinalExpression_ReturnsValueOutputAndVariables()
    {
        var result = await _pool.SubmitAsync(new RunJob("import sys\nx = 20\nprint('out', x)\nprint('err', file=sys.stderr)\ny = [x, x + 1]\nx * 2 + 2")
        {
            ReturnVariables = ["x", "y", "missing"],
        });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(42, result.Value!.Value.GetInt32());
        Assert.Equal("out 20\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.Equal(20, result.Variables!["x"].GetInt32());
        Assert.Equal(21, result.Variables["y"][1].GetInt32());
        Assert.False(result.Variables.ContainsKey("missing"));
    }

    [Fact]
    public async Task SubmitAsync_RunWithoutFinalExpression_HasNoValue()
    {
        var result = await _pool.SubmitAsync(new RunJob("x = 1\nif x:\n    x += 1"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Null(result.ValueJson);
        Assert.Null(result.Value);
    }

    [Fact]
    public async Task SubmitAsync_RunWithFinalNone_ReturnsJsonNull()
    {
        var result = await _pool.SubmitAsync(new RunJob("x = 1\nNone"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal("null", System.Text.Encoding.UTF8.GetString(result.ValueJson!.Value.Span));
        Assert.Equal("NoneType", result.ValueType);
    }

    [Fact]
    public async Task SubmitAsync_ConsecutiveJobs_GetFreshNamespaces()
    {
        var first = await _pool.SubmitAsync(new RunJob("leak = 'secret'\nimport json"));
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _pool.SubmitAsync(new EvalJob("'leak' in globals() or 'json' in globals()"))));

        Assert.Equal(JobOutcome.Ok, first.Outcome);
        Assert.All(results, r => Assert.False(r.Value!.Value.GetBoolean()));
        var nameError = await _pool.SubmitAsync(new EvalJob("leak"));
        Assert.Equal("NameError", nameError.Error!.Type);
    }

    [Fact]
    public async Task SubmitAsync_RuntimeError_ReturnsTypeMessageFramesAndEarlierOutput()
    {
        var result = await _pool.SubmitAsync(new RunJob("def divide(a, b):\n    return a / b\nprint('before')\ndivide(1, 0)"));

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal("before\n", result.Stdout);
        Assert.Equal("ZeroDivisionError", result.Error!.Type);
        Assert.Equal("division by zero", result.Error.Message);
        Assert.Collection(result.Error.Frames,
            f => Assert.Equal(("<run>", 4, "<module>", "divide(1, 0)"), (f.File, f.Line, f.Function, f.Source)),
            f => Assert.Equal(("<run>", 2, "divide", "return a / b"), (f.File, f.Line, f.Function, f.Source)));
        Assert.DoesNotContain("<sidewinder-host>", result.Error.Traceback, StringComparison.Ordinal);
        Assert.Contains("    return a / b", result.Error.Traceback, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x = (", 1)]
    [InlineData("x = 1\nif x\n    pass", 2)]
    public async Task SubmitAsync_SyntaxError_ReturnsLineAndOffset(string code, int line)
    {
        var result = await _pool.SubmitAsync(new RunJob(code));

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal("SyntaxError", result.Error!.Type);
        Assert.Equal(line, result.Error.Line);
        Assert.NotNull(result.Error.Offset);
        Assert.Empty(result.Error.Frames);
    }

    [Fact]
    public async Task SubmitAsync_EvalSyntaxError_ReturnsLocation()
    {
        var result = await _pool.SubmitAsync(new EvalJob("1 +"));

        Assert.Equal("SyntaxError", result.Error!.Type);
        Assert.Equal(1, result.Error.Line);
    }

    [Theory]
    [InlineData("import sys\nsys.exit(3)", "SystemExit")]
    [InlineData("raise SystemExit('bye')", "SystemExit")]
    [InlineData("raise KeyboardInterrupt", "KeyboardInterrupt")]
    [InlineData("def f(n):\n    return f(n + 1)\nf(0)", "RecursionError")]
    public async Task SubmitAsync_ProcessLevelExceptions_EndAsJobErrorsAndWorkerSurvives(string code, string type)
    {
        var result = await _pool.SubmitAsync(new RunJob(code));
        var after = await _pool.SubmitAsync(new EvalJob("6 * 7"));

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal(type, result.Error!.Type);
        Assert.Equal(42, after.Value!.Value.GetInt32());
        Assert.Equal(4, _pool.Status.Workers);
    }

    [Theory]
    [InlineData("'x' * (2 * 1024 * 1024)", "larger than Workers:MaxResultBytes")]
    [InlineData("[0] * (600 * 1024)", "larger than Workers:MaxResultBytes")]
    [InlineData("(lambda l: (l.append(l), l)[1])([])", "it contains itself")]
    [InlineData("__import__('functools').reduce(lambda a, _: [a], range(300), [])", "nests deeper than 128 levels (at $[0][0]")]
    public async Task SubmitAsync_ValueWithoutJsonForm_ReturnsConversionError(string expression, string kind)
    {
        var result = await _pool.SubmitAsync(new EvalJob(expression));

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal(JobErrorTypes.Conversion, result.Error!.Type);
        Assert.Contains(kind, result.Error.Message, StringComparison.Ordinal);
        Assert.Null(result.ValueJson);
    }

    [Fact]
    public async Task SubmitAsync_UnsupportedValue_ReturnsTypeAndRepr()
    {
        var result = await _pool.SubmitAsync(new EvalJob("(float('nan'), object())"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal("NaN", result.Value!.Value[0].GetString());
        Assert.Equal("object", result.Value!.Value[1].GetProperty("$type").GetString());
    }

    [Theory]
    [InlineData("__builtins__")]
    [InlineData("not valid")]
    public async Task SubmitAsync_BadVariableName_ReturnsInvalidJob(string name)
    {
        var result = await _pool.SubmitAsync(new EvalJob("1") { Variables = Json.Variables((name, "1")) });

        Assert.Equal(JobErrorTypes.InvalidJob, result.Error!.Type);
    }

    [Fact]
    public async Task SubmitAsync_CallInstalledModule_ReturnsValue()
    {
        var result = await _pool.SubmitAsync(new CallJob("math", "hypot") { Args = [Json.Parse("3"), Json.Parse("4")] });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(5.0, result.Value!.Value.GetDouble());
        Assert.Equal("float", result.ValueType);
    }

    [Fact]
    public async Task SubmitAsync_CallScriptWithKeywords_ReturnsValue()
    {
        await File.WriteAllTextAsync(Path.Combine(fixture.ScriptsDirectory, "pricing.py"),
            "def total(items, tax=0.0, *, discount=0):\n    print('pricing', len(items))\n    return round(sum(items) * (1 + tax) - discount, 2)\n");

        var result = await _pool.SubmitAsync(new CallJob("pricing", "total")
        {
            Args = [Json.Parse("[10, 20]")],
            Kwargs = Json.Variables(("tax", "0.5"), ("discount", "5")),
        });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal(40.0, result.Value!.Value.GetDouble());
        Assert.Equal("pricing 2\n", result.Stdout);
    }

    [Theory]
    [InlineData("os", "_exit", JobErrorTypes.InvalidJob)]
    [InlineData("no such", "f", JobErrorTypes.InvalidJob)]
    [InlineData("sidewinder_no_such_module", "f", "ModuleNotFoundError")]
    [InlineData("math", "no_such_function", "AttributeError")]
    public async Task SubmitAsync_CallUnavailableFunction_ReturnsError(string module, string function, string type)
    {
        var result = await _pool.SubmitAsync(new CallJob(module, function));

        Assert.Equal(JobOutcome.Error, result.Outcome);
        Assert.Equal(type, result.Error!.Type);
    }

    [Fact]
    public async Task SubmitAsync_Ok_ReportsTimings()
    {
        var result = await _pool.SubmitAsync(new RunJob("import time\ntime.sleep(0.01)"));

        Assert.True(result.Execution > TimeSpan.Zero);
        Assert.True(result.QueueWait >= TimeSpan.Zero);
    }
}
