using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;

namespace Sidewinder.Interop;

/// <summary>Creates the coroutine to run (e.g. by calling an <c>async def</c>); called attached, on the caller's thread.</summary>
public delegate PyBound PythonCoroutineFactory(Python py);

/// <summary>An asyncio event loop on a dedicated thread, running coroutines for .NET callers as <see cref="Task{TResult}"/>s.</summary>
/// <remarks>
/// <see cref="RunAsync{T}"/> creates the coroutine on the calling thread and has the loop wrap it in an asyncio task
/// (<c>call_soon_threadsafe</c> + <c>create_task</c>); the task's done-callback (a .NET function) completes the .NET task
/// on the loop thread once the coroutine has really finished, with
/// continuations running asynchronously so that no .NET continuation runs on the loop thread while it is attached.
/// Cancelling the token cancels the asyncio task: <c>CancelledError</c> is raised inside the coroutine at its current
/// <c>await</c>, and the .NET task ends as cancelled (unless the coroutine swallows the cancellation and returns).
/// A Python exception ends the task with a <see cref="PythonException"/>. <see cref="Dispose"/> cancels what is still
/// running, waits for it to finish, and closes the loop. The loop thread is detached while it waits in <c>select</c>,
/// so it never holds the GIL or stalls free-threaded garbage collection while idle.
/// </remarks>
public sealed class PyAsyncLoop : IDisposable
{
    private const string Helpers = """
        import asyncio

        def _sidewinder_start(coro, loop, done):
            # The task is created on the loop thread; its done-callback reports to .NET only once the coroutine has
            # finished, including after handling a cancellation.
            handle = {}
            def start():
                handle['task'] = task = loop.create_task(coro)
                task.add_done_callback(done)
            loop.call_soon_threadsafe(start)
            return handle

        def _sidewinder_cancel(loop, handle):
            # Queued after start(), so the task exists by the time this runs.
            loop.call_soon_threadsafe(lambda: handle['task'].cancel())

        def _sidewinder_stop(loop):
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.stop()

        def _sidewinder_run(loop):
            asyncio.set_event_loop(loop)
            try:
                loop.run_forever()
                pending = asyncio.all_tasks(loop)
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
        """;

    private readonly PythonRuntime _runtime;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _ready = new();
    private PyOwned? _loop;
    private PyOwned? _globals;
    private Exception? _startFailure;
    private int _disposed;

    private PyAsyncLoop(PythonRuntime runtime)
    {
        _runtime = runtime;
        // A dedicated thread with a large stack, as for any thread that runs Python.
        _thread = new Thread(Run, 16 * 1024 * 1024) { IsBackground = true, Name = "Sidewinder asyncio loop" };
    }

    /// <summary>Starts a loop on a new thread and waits until it runs.</summary>
    public static PyAsyncLoop Start(PythonRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var loop = new PyAsyncLoop(runtime);
        loop._thread.Start();
        loop._ready.Wait();
        if (loop._startFailure is { } failure)
        {
            throw new InvalidOperationException("The asyncio loop could not start.", failure);
        }
        return loop;
    }

    /// <summary>Runs the coroutine <paramref name="createCoroutine"/> returns on the loop; the task completes with its
    /// result converted to <typeparamref name="T"/> (use <see cref="PyOwned"/> to keep the object itself).</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public Task<T> RunAsync<T>(PythonCoroutineFactory createCoroutine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createCoroutine);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        PyOwned? future = null; // the {task} handle the loop fills in
        using (var scope = _runtime.Attach())
        {
            var py = scope.Python;
            using var coroutine = createCoroutine(py);
            using var globals = _globals!.Bind(py);
            using var loop = _loop!.Bind(py);
            using var done = py.NewFunction("_sidewinder_done", (p, args) =>
            {
                Complete(p, args[0], completion, cancellationToken);
                return default;
            });
            using var start = globals.GetItem("_sidewinder_start");
            using var handle = start.Call(coroutine, loop, done);
            future = handle.ToOwned();
        }
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => Cancel(future));
            _ = completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        _ = completion.Task.ContinueWith(_ => future.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return completion.Task;
    }

    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    private static void Complete<T>(Python py, PyBound future, TaskCompletionSource<T> completion, CancellationToken token)
    {
        using var cancelled = future.CallMethod("cancelled");
        if (cancelled.IsTrue())
        {
            completion.TrySetCanceled(token.IsCancellationRequested ? token : new CancellationToken(true));
            return;
        }
        try
        {
            using var result = future.CallMethod("result");
            completion.TrySetResult(result.Extract<T>());
        }
#pragma warning disable CA1031 // Every failure, Python's or the conversion's, belongs to the awaiting task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            completion.TrySetException(ex);
        }
        _ = py;
    }

    private void Cancel(PyOwned future)
    {
        if (!_runtime.IsRunning || !future.IsAlive)
        {
            return;
        }
        _runtime.Attach(py =>
        {
            using var globals = _globals!.Bind(py);
            using var cancel = globals.GetItem("_sidewinder_cancel");
            using var loop = _loop!.Bind(py);
            using var handle = future.Bind(py);
            using var _ = cancel.Call(loop, handle);
        });
    }

    private void Run()
    {
        using var threadState = _runtime.CreateThreadState();
        PyOwned? loopHandle = null;
        try
        {
            using var scope = _runtime.Attach();
            var py = scope.Python;
            using var globals = py.NewGlobals("sidewinder_asyncio");
            using var code = py.Compile(Helpers, "<sidewinder asyncio>", CompileMode.Exec);
            py.Execute(code, globals);
            using var asyncio = py.Import("asyncio");
            using var loop = asyncio.CallMethod("new_event_loop");
            loopHandle = loop.ToOwned();
            _loop = loop.ToOwned();
            _globals = globals.ToOwned();
            _ready.Set();
            using var run = globals.GetItem("_sidewinder_run");
            using var _ = run.Call(loop);
        }
#pragma warning disable CA1031 // A start failure is reported to Start(); a failure after start ends the loop thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _startFailure ??= _ready.IsSet ? null : ex;
        }
        finally
        {
            _ready.Set();
            loopHandle?.Dispose();
        }
    }

    /// <summary>Cancels the coroutines still running, lets them finish, closes the loop and ends its thread.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_loop is not null && _runtime.IsRunning)
        {
            _runtime.Attach(py =>
            {
                using var loop = _loop.Bind(py);
                using var globals = _globals!.Bind(py);
                using var stop = globals.GetItem("_sidewinder_stop");
                using var callSoon = loop.GetAttr("call_soon_threadsafe");
                using var _ = callSoon.Call(stop, loop);
            });
            _thread.Join();
        }
        _loop?.Dispose();
        _globals?.Dispose();
        _ready.Dispose();
    }
}
