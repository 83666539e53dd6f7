using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Functions;

/// <summary>Turns a .NET exception thrown by a function Python called into the pending Python exception.</summary>
/// <remarks>
/// A <see cref="PythonException"/> is raised as its own type and message, so <c>PythonException.Raise("KeyError", ...)</c>
/// and a Python error that passed through .NET both arrive in Python as what they were. Other exceptions are mapped by
/// type (<see cref="Map"/>), keeping the message. The .NET type and stack trace go into a note (<c>add_note</c>, shown
/// at the end of Python's traceback), never into the message, so code that matches messages keeps working.
/// </remarks>
internal static unsafe class ExceptionMapping
{
    public static void Raise(FunctionTarget? target, Exception exception)
    {
        try
        {
            if (target is null)
            {
                throw new InvalidOperationException("The function's capsule lost its target.", exception);
            }
            RaiseCore(new Python(target.Interpreter), target.Name, exception);
        }
#pragma warning disable CA1031 // Nothing may escape into native code: the last resort is a RuntimeError with the message.
        catch (Exception)
#pragma warning restore CA1031
        {
            fixed (byte* message = System.Text.Encoding.UTF8.GetBytes(exception.GetType().Name + ": " + exception.Message + "\0"))
            {
                Errors.PyErr_SetString(new BorrowedRef(*(nint*)PythonLibrary.GetExport("PyExc_RuntimeError")), message);
            }
        }
    }

    /// <summary>The Python exception type for a .NET exception that is not a <see cref="PythonException"/>.</summary>
    internal static string Map(Exception exception) => exception switch
    {
        ArgumentNullException => "TypeError",
        ArgumentException => "ValueError",
        IndexOutOfRangeException => "IndexError",
        KeyNotFoundException => "KeyError",
        InvalidCastException => "TypeError",
        NotImplementedException => "NotImplementedError",
        NotSupportedException => "TypeError",
        OverflowException => "OverflowError",
        DivideByZeroException => "ZeroDivisionError",
        ArithmeticException => "ArithmeticError",
        OutOfMemoryException or InsufficientExecutionStackException => "MemoryError",
        TimeoutException => "TimeoutError",
        FileNotFoundException or DirectoryNotFoundException => "FileNotFoundError",
        UnauthorizedAccessException => "PermissionError",
        IOException => "OSError",
        FormatException => "ValueError",
        ObjectDisposedException => "ValueError",
        _ => "RuntimeError",
    };

    private static void RaiseCore(Python py, string function, Exception exception)
    {
        var fromPython = exception as PythonException;
        var typeName = fromPython?.PythonType ?? Map(exception);
        var message = fromPython?.PythonMessage ?? exception.Message;
        using var type = Resolve(py, typeName);
        using var text = py.Str(message);
        using var instance = type.Call(text);
        var note = fromPython is { Frames.Count: > 0 }
            ? $"raised in Python code called by the .NET function {function}():\n{fromPython.FormattedTraceback}"
            : $".NET {exception.GetType().FullName} in {function}():\n{exception.StackTrace}";
        using var noteText = py.Str(note.TrimEnd());
        using var added = instance.CallMethod("add_note", noteText);
        Errors.PyErr_SetObject(type.Borrow(), instance.Borrow());
    }

    /// <summary>A built-in exception by bare name, <c>module.Name</c> by import; RuntimeError if it is not an exception type.</summary>
    private static PyBound Resolve(Python py, string typeName)
    {
        var dot = typeName.LastIndexOf('.');
        PyBound type;
        if (dot < 0)
        {
            using var builtins = PyBound.NewReference(py, Run.PyEval_GetBuiltins().Pointer);
            type = builtins.Cast<PyDict>().GetItem(typeName);
        }
        else
        {
            using var module = py.Import(typeName[..dot]);
            type = module.GetAttrOrNull(typeName[(dot + 1)..]);
        }
        if (!type.IsNull && type.IsInstanceOf<PyType>() && Objects.PyType_IsSubtype(type.Borrow(), new BorrowedRef(py.B.BaseException)) != 0)
        {
            return type;
        }
        type.Dispose();
        return PyBound.NewReference(py, py.B.RuntimeError);
    }
}
