namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class InterruptTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Fact]
    public void Interrupt_NotCleared_RaisesAtTheNextPythonCode()
    {
        var type = RunOnOwnThread((py, state) =>
        {
            using var keyboardInterrupt = py.Import("builtins").GetAttr("KeyboardInterrupt").ToOwned();
            Assert.True(state.Interrupt(py, keyboardInterrupt));
            try
            {
                py.Eval("1 + 1").Dispose();
                return "nothing raised";
            }
            catch (PythonException raised)
            {
                return raised.PythonType;
            }
        });

        Assert.Equal("KeyboardInterrupt", type);
    }

    [Fact]
    public void ClearInterrupt_OnItsOwnThread_CancelsItAndLaterTracedCodeRuns()
    {
        // 3.11: cancelling with PyThreadState_SetAsyncExc(id, NULL) left the eval breaker set, and with a trace
        // function installed the next call spun for ever (this test then never finished its thread).
        var value = RunOnOwnThread((py, state) =>
        {
            using var keyboardInterrupt = py.Import("builtins").GetAttr("KeyboardInterrupt").ToOwned();
            state.Interrupt(py, keyboardInterrupt);
            state.ClearInterrupt(py);
            using var globals = py.NewGlobals();
            using var code = py.Compile("import sys\nsys.settrace(lambda *a: None)\ndef g():\n    return 41\nresult = g() + 1\nsys.settrace(None)", "<traced>", CompileMode.Exec);
            py.Execute(code, globals);
            using var result = globals.GetItem("result");
            return result.GetInt64();
        });

        Assert.Equal(42, value);
    }

    private T RunOnOwnThread<T>(Func<Python, PythonThreadState, T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var state = _runtime.CreateThreadState();
                result = _runtime.Attach(py => body(py, state));
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }, 16 * 1024 * 1024) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the thread did not finish: its Python code is stuck");
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException("The thread failed: " + failure);
        }
        return result;
    }
}
