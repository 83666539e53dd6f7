using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A storable strong reference to a Python object (PyO3's <c>Py&lt;T&gt;</c>): keep it in fields,
/// collections or across <c>await</c>; <see cref="Bind"/> it to a token to use it.</summary>
/// <remarks>
/// Disposing while attached releases the reference at once. Disposing on a thread that is not attached,
/// or leaving it to the finalizer, queues the decref; the next thread to attach performs it. The
/// finalizer never calls into Python.
/// </remarks>
public class PyOwned : IDisposable
{
    private readonly PythonRuntime _runtime;
    private nint _pointer;

    /// <summary>Takes over a strong reference.</summary>
    internal PyOwned(PythonRuntime runtime, NewRef reference)
    {
        _runtime = runtime;
        _pointer = reference.Pointer;
    }

    /// <summary>False once disposed.</summary>
    public bool IsAlive => _pointer != 0;

    /// <summary>A token-bound handle with its own reference; dispose it as usual.</summary>
    public PyBound Bind(Python py)
    {
        var pointer = _pointer;
        ObjectDisposedException.ThrowIf(pointer == 0, this);
        return PyBound.NewReference(py, pointer);
    }

    /// <summary>A borrowed view for internal calls; valid while this handle is alive.</summary>
    internal BorrowedRef Borrow(Python py)
    {
        _ = py;
        var pointer = _pointer;
        ObjectDisposedException.ThrowIf(pointer == 0, this);
        return new BorrowedRef(pointer);
    }

    /// <summary>Releases the reference (now if attached, else at the next attach).</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Queues the decref; see the class remarks.</summary>
    ~PyOwned() => Release(fromFinalizer: true);

    private void Release(bool fromFinalizer = false)
    {
        var pointer = Interlocked.Exchange(ref _pointer, 0);
        if (pointer == 0)
        {
            return;
        }
        if (!fromFinalizer && ThreadAttachment.IsCurrentThreadAttached)
        {
            new NewRef(pointer).Release();
        }
        else
        {
            _runtime.DeferDecref(new NewRef(pointer));
        }
    }
}

/// <summary>A compiled code object together with the source and filename it came from, so tracebacks
/// can show the user's own lines.</summary>
public sealed class PyCode : PyOwned
{
    internal PyCode(PythonRuntime runtime, NewRef reference, string source, string filename, CompileMode mode)
        : base(runtime, reference)
    {
        Source = source;
        Filename = filename;
        Mode = mode;
    }

    /// <summary>The source text.</summary>
    public string Source { get; }

    /// <summary>The filename tracebacks show.</summary>
    public string Filename { get; }

    /// <summary>How it was compiled.</summary>
    public CompileMode Mode { get; }
}
