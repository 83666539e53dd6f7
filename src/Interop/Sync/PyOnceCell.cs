namespace Sidewinder.Interop;

/// <summary>A value computed once, by an initialiser that may run Python (PyO3's <c>PyOnceLock</c>).</summary>
/// <remarks>
/// The deadlock it avoids: thread A takes an ordinary lock and runs an initialiser that runs Python; on a GIL build the
/// interpreter hands the GIL to thread B in between, and B, still attached, blocks on A's lock. A waits for the GIL, B for
/// the lock, forever. (On a free-threaded build B merely stalls every stop-the-world pause instead.) Here a thread that has
/// to wait for the initialiser waits detached, so A can always get back in. An initialiser that throws leaves the cell
/// empty for the next caller; one that reads its own cell throws <see cref="InvalidOperationException"/> rather than
/// recursing.
/// </remarks>
/// <typeparam name="T">The value's type; store <see cref="PyOwned"/> for Python objects.</typeparam>
public sealed class PyOnceCell<T>
{
    private readonly Lock _gate = new();
    private T? _value;
    private volatile bool _initialized;
    private bool _initializing;

    /// <summary>Whether the value has been computed.</summary>
    public bool IsInitialized => _initialized;

    /// <summary>The value, computing it with <paramref name="initializer"/> on first use.</summary>
    public T GetOrInit(Python py, PythonFunc<T> initializer)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        if (_initialized)
        {
            return _value!;
        }
        using var scope = _gate.EnterAttached(py);
        if (_initialized)
        {
            return _value!;
        }
        if (_initializing)
        {
            throw new InvalidOperationException("The PyOnceCell's initialiser read the cell it is initialising.");
        }
        _initializing = true;
        try
        {
            _value = initializer(py);
            _initialized = true;
            return _value;
        }
        finally
        {
            _initializing = false;
        }
    }
}
