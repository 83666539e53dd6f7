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
    private readonly PythonInterpreter _interpreter;
    private nint _pointer;

    /// <summary>Takes over a strong reference to an object of <paramref name="interpreter"/>.</summary>
    internal PyOwned(PythonInterpreter interpreter, NewRef reference)
    {
        _interpreter = interpreter;
        _pointer = reference.Pointer;
    }

    /// <summary>The interpreter the object belongs to; only a token of that interpreter can use it.</summary>
    public PythonInterpreter Interpreter => _interpreter;

    /// <summary>False once disposed.</summary>
    public bool IsAlive => _pointer != 0;

    /// <summary>A token-bound handle with its own reference; dispose it as usual.</summary>
    /// <exception cref="InvalidOperationException">The token is of another interpreter.</exception>
    public PyBound Bind(Python py)
    {
        var pointer = _pointer;
        ObjectDisposedException.ThrowIf(pointer == 0, this);
        if (py.Interpreter != _interpreter)
        {
            throw OtherInterpreter(py);
        }
        return PyBound.NewReference(py, pointer);
    }

    /// <summary>A borrowed view for internal calls; valid while this handle is alive.</summary>
    internal BorrowedRef Borrow(Python py)
    {
        var pointer = _pointer;
        ObjectDisposedException.ThrowIf(pointer == 0, this);
        if (py.Interpreter != _interpreter)
        {
            throw OtherInterpreter(py);
        }
        return new BorrowedRef(pointer);
    }

    private InvalidOperationException OtherInterpreter(Python py) => new(
        $"This object belongs to {_interpreter} and the token to {py.Interpreter}: objects never cross interpreters. Attach to the object's interpreter to use it.");

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
        if (!fromFinalizer && ThreadAttachment.IsAttachedTo(_interpreter))
        {
            new NewRef(pointer).Release();
        }
        else
        {
            _interpreter.DeferDecref(new NewRef(pointer));
        }
    }
}

/// <summary>A compiled code object together with the source and filename it came from, so tracebacks
/// can show the user's own lines.</summary>
public sealed class PyCode : PyOwned
{
    internal PyCode(PythonInterpreter interpreter, NewRef reference, string source, string filename, CompileMode mode)
        : base(interpreter, reference)
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
