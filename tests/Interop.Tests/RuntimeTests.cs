using Sidewinder.Tests;

namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class RuntimeTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Fact]
    public void Info_MatchesRequestedRuntime()
    {
        var info = _runtime.Info;
        Assert.Equal(3, info.Version.Major);
        if (RequestedRuntime.Minor is { } minor)
        {
            Assert.Equal(minor, info.Version.Minor);
            Assert.Equal(RequestedRuntime.FreeThreaded, info.IsFreeThreaded);
            Assert.Equal(RequestedRuntime.Name, info.Installation.Name);
        }
        else
        {
            Assert.False(info.IsFreeThreaded);
            Assert.True(_runtime.IsGilEnabled);
        }
        Assert.StartsWith(info.Version.ToString(), info.VersionText, StringComparison.Ordinal);
        Assert.Equal($"{info.Version} {(info.IsFreeThreaded ? "free-threaded" : "GIL")}", info.Description);
    }

    [Fact]
    public void Version_IsTheFullVersionOfTheRunningInterpreter()
    {
        using var scope = _runtime.Attach();
        using var version = scope.Python.Eval("'%d.%d.%d' % __import__('sys').version_info[:3]");
        Assert.Equal(version.GetString(), _runtime.Info.Version.ToString());
    }

    [Fact]
    public void IsGilEnabled_AgreesWithSys()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval("__import__('sys')._is_gil_enabled() if hasattr(__import__('sys'), '_is_gil_enabled') else True");
        Assert.Equal(value.IsTrue(), _runtime.IsGilEnabled);
        if (py.Info.IsFreeThreaded)
        {
            Assert.False(_runtime.IsGilEnabled);
        }
    }

    [Fact]
    public void Initialization_IsIsolatedWithCorrectPrefix()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var flags = py.Eval("(__import__('sys').flags.isolated, __import__('sys').flags.ignore_environment, __import__('sys').prefix)");
        using var isolated = flags.GetItem(py.Int(0));
        using var ignoreEnvironment = flags.GetItem(py.Int(1));
        using var prefix = flags.GetItem(py.Int(2));
        Assert.Equal(1, isolated.GetInt64());
        Assert.Equal(1, ignoreEnvironment.GetInt64());
        Assert.Equal(_runtime.Installation.Home, prefix.GetString());
    }

    [Fact]
    public void Initialization_SetsEveryOptionOnThisVersionsConfigurationApi()
    {
        // 3.11-3.13 write these into PyConfig at per-version offsets; 3.14+ sets them by name through PyInitConfig
        // (PEP 741). Either way the interpreter must come up isolated, with site (dist-packages) but no user site,
        // a safe sys.path and the installation's executable.
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var state = py.Eval(
            "(lambda sys: (sys.flags.safe_path, sys.flags.no_user_site, 'site' in sys.modules, sys.executable, sys.flags.no_site))(__import__('sys'))");
        using var safePath = state.GetItem(py.Int(0));
        using var noUserSite = state.GetItem(py.Int(1));
        using var siteImported = state.GetItem(py.Int(2));
        using var executable = state.GetItem(py.Int(3));
        using var noSite = state.GetItem(py.Int(4));
        Assert.True(safePath.IsTrue());
        Assert.True(noUserSite.IsTrue());
        Assert.True(siteImported.IsTrue());
        Assert.Equal(0, noSite.GetInt64());
        if (_runtime.Installation.Executable is { } expected)
        {
            Assert.Equal(expected, executable.GetString());
        }
    }

    [Fact]
    public void Initialization_InstallsNoSignalHandlers()
    {
        using var scope = _runtime.Attach();
        using var handler = scope.Python.Eval("(lambda s: s.getsignal(s.SIGINT) is s.default_int_handler)(__import__('signal'))");
        // With install_signal_handlers=0 Python leaves SIGINT to the host (.NET handles Ctrl+C for graceful shutdown).
        Assert.False(handler.GetBoolean());
    }

    [Fact]
    public void Import_StandardLibrary_Works()
    {
        using var scope = _runtime.Attach();
        using var json = scope.Python.Import("json");
        using var dumps = json.GetAttr("dumps");
        using var list = scope.Python.Eval("[1, 'a', None]");
        using var text = dumps.Call(list);
        Assert.Equal("[1, \"a\", null]", text.GetString());
    }

    [Fact]
    public void Import_Numpy_ImportsOnDefaultRuntimeOnly()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        if (py.Info.Version.Minor != 11)
        {
            // Debian's python3-numpy is built for 3.11; the prefixes built from source (3.13, 3.13t, 3.14, 3.14t) have no numpy.
            var error = PyAssert.Throws<PythonException>(py, static p => p.Import("numpy").Dispose());
            Assert.Equal("ModuleNotFoundError", error.PythonType);
            return;
        }
        using var numpy = py.Import("numpy");
        using var code = py.Compile("import numpy as np\nresult = int(np.arange(10).sum())", "<numpy>", CompileMode.Exec);
        using var globals = py.NewGlobals();
        py.Execute(code, globals);
        using var result = globals.GetItem("result");
        Assert.Equal(45, result.GetInt64());
    }

    [Fact]
    public void Import_MissingModule_ThrowsModuleNotFound()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        var error = PyAssert.Throws<PythonException>(py, static p => p.Import("no_such_module_here").Dispose());
        Assert.Equal("ModuleNotFoundError", error.PythonType);
        Assert.Contains("no_such_module_here", error.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_Twice_Refuses()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PythonRuntime.Start());
        Assert.Contains("once per process", error.Message, StringComparison.Ordinal);
    }
}
