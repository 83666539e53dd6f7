using System.Numerics;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Proof that the current thread is attached to the interpreter (PyO3's <c>Python&lt;'py&gt;</c>).</summary>
/// <remarks>
/// Only an <see cref="AttachScope"/> creates one. Being a ref struct it cannot be stored in a field, boxed,
/// captured by a lambda or held across <c>await</c>, so it cannot outlive the stack frame that attached
/// (C# cannot stop a caller from using it after disposing the scope in the same method; don't).
/// Every operation that touches Python takes or is reached through this token.
/// </remarks>
public readonly ref partial struct Python
{
    internal readonly PythonInterpreter Interpreter;

    internal Python(PythonInterpreter interpreter) => Interpreter = interpreter;

    internal PythonRuntime Runtime => Interpreter.Runtime;

    /// <summary>The interpreter this token is bound to (the main one unless the thread attached to a sub-interpreter).</summary>
    public PythonInterpreter CurrentInterpreter => Interpreter;

    internal Builtins B => Runtime.Builtins;

    /// <summary>Version and build of the interpreter.</summary>
    public PythonInfo Info => Runtime.Info;

    /// <summary><c>None</c>.</summary>
    public PyBound None => PyBound.NewReference(this, B.None);

    /// <summary><c>True</c>.</summary>
    public PyBound True => PyBound.NewReference(this, B.True);

    /// <summary><c>False</c>.</summary>
    public PyBound False => PyBound.NewReference(this, B.False);

    /// <summary>Runs blocking host work detached (PyO3's <c>py.detach</c>): other threads can run Python meanwhile,
    /// and on a free-threaded build garbage-collection pauses do not wait for this thread.</summary>
    /// <remarks>Do not use Python objects inside <paramref name="work"/>; attach again if needed (nested attach works).</remarks>
    public T Detach<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var detached = DetachedThread.Leave();
        try
        {
            return work();
        }
        finally
        {
            detached.Return(Interpreter);
        }
    }

    /// <summary>Runs blocking host work detached; see <see cref="Detach{T}(Func{T})"/>.</summary>
    /// <remarks>Allocates nothing of its own (no wrapping delegate): a cached <paramref name="work"/> makes the
    /// round trip allocation-free.</remarks>
    public void Detach(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var detached = DetachedThread.Leave();
        try
        {
            work();
        }
        finally
        {
            detached.Return(Interpreter);
        }
    }

    /// <summary>The bookkeeping of one <c>Detach</c>: what the thread's attachment was, and the thread state
    /// <c>PyEval_SaveThread</c> gave back, so that <see cref="Return"/> restores both.</summary>
    private readonly struct DetachedThread
    {
        private readonly ThreadAttachment _attachment;
        private readonly int _depth;
        private readonly int _gilState;
        private readonly PythonInterpreter? _interpreter;
        private readonly nint _saved;

        private DetachedThread(ThreadAttachment attachment, int depth, int gilState, PythonInterpreter? interpreter, nint saved)
        {
            _attachment = attachment;
            _depth = depth;
            _gilState = gilState;
            _interpreter = interpreter;
            _saved = saved;
        }

        public static DetachedThread Leave()
        {
            var attachment = ThreadAttachment.Current;
            var (depth, gilState, interpreter) = (attachment.Depth, attachment.GilState, attachment.Interpreter);
            attachment.Depth = 0;
            attachment.Interpreter = null;
            return new DetachedThread(attachment, depth, gilState, interpreter, State.PyEval_SaveThread());
        }

        public void Return(PythonInterpreter interpreter)
        {
            State.PyEval_RestoreThread(_saved);
            _attachment.Depth = _depth;
            _attachment.GilState = _gilState;
            _attachment.Interpreter = _interpreter;
            if (interpreter.Pool.HasPending)
            {
                interpreter.Pool.Drain();
            }
        }
    }

    /// <summary>Imports a module (like <c>import name</c>) and returns it.</summary>
    public unsafe PyBound Import(string name)
    {
        using var moduleName = Str(name);
        return Own(Run.PyImport_Import(moduleName.Borrow()));
    }

    /// <summary>The module from <c>sys.modules</c> if it is already imported; a null handle otherwise.</summary>
    public PyBound ImportedModule(string name)
    {
        using var moduleName = Str(name);
        var module = Run.PyImport_GetModule(moduleName.Borrow());
        if (module.IsNull)
        {
            ThrowIfError();
            return default;
        }
        return new PyBound(this, module);
    }

    /// <summary>A fresh globals dict with <c>__builtins__</c> and the given <c>__name__</c>, for <see cref="Execute"/>.</summary>
    public PyBound NewGlobals(string moduleName = "__main__")
    {
        var globals = NewDict();
        using var builtins = PyBound.NewReference(this, Run.PyEval_GetBuiltins().Pointer);
        globals.SetItem("__builtins__", builtins);
        using var name = Str(moduleName);
        globals.SetItem("__name__", name);
        return globals;
    }

    /// <summary>Compiles source code. <paramref name="filename"/> is what tracebacks show for its lines.</summary>
    /// <exception cref="PythonSyntaxError">The source does not parse (with line and offset).</exception>
    public unsafe PyCode Compile(string source, string filename, CompileMode mode)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(filename);
        var start = mode switch
        {
            CompileMode.Eval => Run.Py_eval_input,
            CompileMode.Exec => Run.Py_file_input,
            CompileMode.Single => Run.Py_single_input,
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        var fileBytes = PyBound.Utf8Z(filename, stackalloc byte[256], nameof(filename)).ToArray();
        if (source.Contains('\0', StringComparison.Ordinal))
        {
            return CompileWithNul(source, filename, mode);
        }
        var sourceBytes = Initialization.Utf8Z(source);
        NewRef code;
        fixed (byte* s = sourceBytes)
        fixed (byte* f = fileBytes)
        {
            code = Run.Py_CompileStringExFlags(s, f, start, 0, -1);
        }
        if (code.IsNull)
        {
            throw ExceptionBuilder.FromCurrent(this, filename, source);
        }
        return new PyCode(Interpreter, code, source, filename, mode);
    }

    /// <summary>Source with a NUL: <c>Py_CompileStringExFlags</c> takes a C string and would compile only the text before
    /// it (<c>1\0+1/0</c> evaluated to 1), so the str goes to the built-in <c>compile()</c>, which raises what Python
    /// raises for such source (3.11: ValueError, 3.12+: SyntaxError, "source code string cannot contain null bytes").</summary>
    private PyCode CompileWithNul(string source, string filename, CompileMode mode)
    {
        using var builtins = PyBound.NewReference(this, Run.PyEval_GetBuiltins().Pointer);
        using var compile = builtins.GetItem("compile");
        using var text = Str(source);
        using var file = Str(filename);
        using var kind = Str(mode switch { CompileMode.Eval => "eval", CompileMode.Exec => "exec", _ => "single" });
        using var compiled = compile.Call(text, file, kind);
        var strong = compiled.Borrow().NewReference();
        return new PyCode(Interpreter, strong.Steal(), source, filename, mode);
    }

    /// <summary>Evaluates an expression in a fresh namespace (or in <paramref name="globals"/> when given).</summary>
    public PyBound Eval(string expression, PyBound globals = default)
    {
        using var code = Compile(expression, "<string>", CompileMode.Eval);
        return Evaluate(code, globals);
    }

    /// <summary>Runs a compiled code object and returns its value (the expression's value for <see cref="CompileMode.Eval"/>, None otherwise).</summary>
    public PyBound Evaluate(PyCode code, PyBound globals = default, PyBound locals = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        using var fresh = globals.IsNull ? NewGlobals() : default;
        var g = globals.IsNull ? fresh.Borrow() : globals.Borrow();
        var l = locals.IsNull ? g : locals.Borrow();
        var result = Run.PyEval_EvalCode(code.Borrow(this), g, l);
        return result.IsNull
            ? throw ExceptionBuilder.FromCurrent(this, code.Filename, code.Source)
            : new PyBound(this, result);
    }

    /// <summary>Runs statements in <paramref name="globals"/> (which receives every name they bind).</summary>
    public void Execute(PyCode code, PyBound globals)
    {
        if (globals.IsNull)
        {
            throw new ArgumentException("Execute needs a globals dict; use NewGlobals().", nameof(globals));
        }
        Evaluate(code, globals).Dispose();
    }

    /// <summary>A Python <c>str</c>. Lone surrogates are kept (as with Python's <c>surrogatepass</c>), so Python sees every
    /// UTF-16 code unit; text read back out of Python (<see cref="PyBound.GetString"/>) has them replaced with U+FFFD.</summary>
    public unsafe PyBound Str(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Str(value.AsSpan());
    }

    /// <inheritdoc cref="Str(string)"/>
    public unsafe PyBound Str(scoped ReadOnlySpan<char> value)
    {
        // UTF-16 with surrogatepass keeps lone surrogates, which UTF-8 encoding would replace.
        var byteOrder = -1; // little endian
        fixed (char* chars = value)
        fixed (byte* errors = "surrogatepass"u8)
        {
            return Own(Unicode.PyUnicode_DecodeUTF16((byte*)chars, value.Length * 2, errors, &byteOrder));
        }
    }

    /// <summary>A Python <c>str</c> from UTF-8 bytes (invalid UTF-8 raises UnicodeDecodeError).</summary>
    public unsafe PyBound StrFromUtf8(scoped ReadOnlySpan<byte> utf8)
    {
        fixed (byte* p = utf8)
        {
            return Own(Unicode.PyUnicode_FromStringAndSize(p, utf8.Length));
        }
    }

    /// <summary>A Python <c>int</c>.</summary>
    public PyBound Int(long value) => Own(Scalars.PyLong_FromLongLong(value));

    /// <summary>A Python <c>int</c>.</summary>
    public PyBound Int(ulong value) => Own(Scalars.PyLong_FromUnsignedLongLong(value));

    /// <summary>A Python <c>int</c> of any size.</summary>
    public PyBound Int(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            return Int((long)value);
        }
        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return IntFromDigits(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>A Python <c>int</c> from ASCII decimal digits (optional sign), exactly.</summary>
    internal unsafe PyBound IntFromDigits(ReadOnlySpan<byte> digits)
    {
        var buffer = digits.Length < 256 ? stackalloc byte[digits.Length + 1] : new byte[digits.Length + 1];
        digits.CopyTo(buffer);
        buffer[digits.Length] = 0;
        fixed (byte* p = buffer)
        {
            return Own(Scalars.PyLong_FromString(p, null, 10));
        }
    }

    /// <summary>A Python <c>float</c>.</summary>
    public PyBound Float(double value) => Own(Scalars.PyFloat_FromDouble(value));

    /// <summary><c>True</c> or <c>False</c>.</summary>
    public PyBound Bool(bool value) => PyBound.NewReference(this, value ? B.True : B.False);

    /// <summary>A Python <c>bytes</c> copy of <paramref name="value"/>.</summary>
    public unsafe PyBound Bytes(scoped ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return Own(Native.Bytes.PyBytes_FromStringAndSize(p, value.Length));
        }
    }

    /// <summary>An empty <c>dict</c>.</summary>
    public PyBound NewDict() => Own(Containers.PyDict_New());

    /// <summary>An empty <c>list</c>.</summary>
    public PyBound NewList() => Own(Containers.PyList_New(0));

    /// <summary>An empty <c>set</c>.</summary>
    public PyBound NewSet() => Own(Containers.PySet_New(BorrowedRef.Null));

    /// <summary>A <c>frozenset</c> of the items of <paramref name="iterable"/>.</summary>
    public PyBound NewFrozenSet(PyBound iterable) => Own(Containers.PyFrozenSet_New(iterable.Borrow()));

    /// <summary>A <c>tuple</c> of the given items (each gets its own reference).</summary>
    public PyBound NewTuple(params ReadOnlySpan<PyOwned> items)
    {
        var tuple = Own(Containers.PyTuple_New(items.Length));
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Borrow(this).NewReference();
            _ = Containers.PyTuple_SetItem(tuple.Borrow(), i, item.Steal());
        }
        return tuple;
    }

    /// <summary>A <c>tuple</c> with the items of a list.</summary>
    public PyBound ListToTuple(PyBound list) => Own(Containers.PyList_AsTuple(list.Borrow()));

    /// <summary>Takes ownership of a new reference, or throws the pending Python error if it is null.</summary>
    internal PyBound Own(NewRef reference) =>
        reference.IsNull ? throw ExceptionBuilder.FromCurrent(this) : new PyBound(this, reference);

    /// <summary>Throws the pending Python error, if any.</summary>
    internal void ThrowIfError()
    {
        if (!Errors.PyErr_Occurred().IsNull)
        {
            throw ExceptionBuilder.FromCurrent(this);
        }
    }

    /// <summary>Throws the pending Python error (which must exist).</summary>
    internal PythonException Error() => ExceptionBuilder.FromCurrent(this);
}

/// <summary>What kind of code <see cref="Python.Compile"/> expects.</summary>
public enum CompileMode
{
    /// <summary>A single expression; evaluating it returns its value.</summary>
    Eval,

    /// <summary>A sequence of statements (a module body).</summary>
    Exec,

    /// <summary>One interactive statement; expression values are printed through <c>sys.displayhook</c>.</summary>
    Single,
}
