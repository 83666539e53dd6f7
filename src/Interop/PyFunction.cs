using System.Runtime.InteropServices;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Handles the one argument a .NET-backed Python function was called with (see <see cref="Python.NewFunction"/>).
/// Runs on the calling Python thread, attached; must not block (it holds up that thread's Python code).</summary>
public delegate void PyFunctionHandler(PyBound argument);

/// <summary>Python callables implemented by .NET delegates (PyO3's <c>#[pyfunction]</c>, reduced to one argument).</summary>
/// <remarks>
/// <para>Each function gets a <c>PyMethodDef</c> in native memory and a slot in a static table; the function object's
/// <c>self</c> is the slot number. Both live for the rest of the process: a function object may be kept by Python code
/// anywhere, and freeing its definition under it would crash the interpreter. Hosts create a handful, once.</para>
/// <para>A handler that throws does not unwind into CPython (which cannot cross managed frames): the exception becomes a
/// Python <c>RuntimeError</c> in the caller.</para>
/// </remarks>
internal static unsafe class PyFunctions
{
    private static readonly Lock s_gate = new();
    private static (PythonRuntime Runtime, PyFunctionHandler Handler)[] s_handlers = [];

    public static PyBound Create(Python py, string name, PyFunctionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        int slot;
        lock (s_gate)
        {
            slot = s_handlers.Length;
            s_handlers = [.. s_handlers, (py.Runtime, handler)];
        }
        var def = (PyMethodDef*)NativeMemory.AllocZeroed((nuint)sizeof(PyMethodDef));
        def->Name = Utf8(name);
        def->Method = &Invoke;
        def->Flags = Methods.METH_O;
        using var self = py.Int(slot);
        return py.Own(Methods.PyCFunction_NewEx(def, self.Borrow(), BorrowedRef.Null));
    }

    private static byte* Utf8(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var copy = (byte*)NativeMemory.AllocZeroed((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(copy, bytes.Length));
        return copy;
    }

    [UnmanagedCallersOnly]
    private static nint Invoke(nint self, nint argument)
    {
        var handlers = Volatile.Read(ref s_handlers);
        int overflow;
        var slot = (int)Scalars.PyLong_AsLongLongAndOverflow(new BorrowedRef(self), &overflow);
        var (runtime, handler) = handlers[slot];
        var py = new Python(runtime);
        try
        {
            using var bound = PyBound.NewReference(py, argument);
            handler(bound);
        }
#pragma warning disable CA1031 // nothing may unwind into CPython; the caller gets a Python exception instead
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var message = Encoding.UTF8.GetBytes(ex.GetType().Name + ": " + ex.Message + "\0");
            fixed (byte* text = message)
            {
                Errors.PyErr_SetString(new BorrowedRef(runtime.Builtins.RuntimeError), text);
            }
            return 0;
        }
        var none = new BorrowedRef(runtime.Builtins.None).NewReference();
        return none.Steal().Pointer; // the caller (CPython) owns the returned reference
    }
}

public readonly ref partial struct Python
{
    /// <summary>A Python function of one positional argument that calls <paramref name="handler"/> and returns
    /// <c>None</c>: how Python code hands values to the host without the host polling for them.</summary>
    /// <remarks>Each call creates a definition that lives for the rest of the process (see <see cref="PyFunctions"/>):
    /// create one per purpose, at start-up, not per call.</remarks>
    public PyBound NewFunction(string name, PyFunctionHandler handler) => PyFunctions.Create(this, name, handler);
}
