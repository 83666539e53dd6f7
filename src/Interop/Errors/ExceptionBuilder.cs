using System.Runtime.InteropServices;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Turns the pending Python error into a <see cref="PythonException"/>.</summary>
/// <remarks>
/// Uses raw native calls and clears any error raised while reading the exception (a broken
/// <c>__str__</c>, a missing attribute), so building the .NET exception can never itself throw or
/// recurse. Only the traceback's code objects (filename, name) and line numbers are read, never
/// <c>f_locals</c> or <c>f_globals</c>.
/// </remarks>
internal static unsafe class ExceptionBuilder
{
    private const int MaxFrames = 100;
    private const int MaxChain = 8;

    public static PythonException FromCurrent(Python py, string? sourceFile = null, string? source = null)
    {
        var exception = Fetch(py);
        if (exception == 0)
        {
            return new PythonException("SystemError", "a Python API call failed without setting an exception", []);
        }
        var sources = new SourceLookup(sourceFile, source);
        try
        {
            return Build(py, exception, sources, depth: 0, seen: []);
        }
        finally
        {
            sources.Release();
            Objects.Py_DecRef(exception);
        }
    }

    /// <summary>Takes the raised exception (a new reference, with its traceback attached) and clears the error indicator.</summary>
    internal static nint Fetch(Python py)
    {
        if (py.B.HasRaisedExceptionApi)
        {
            return Errors.PyErr_GetRaisedException().Pointer;
        }
        nint type, value, traceback;
        Errors.PyErr_Fetch(&type, &value, &traceback);
        if (type == 0)
        {
            return 0;
        }
        Errors.PyErr_NormalizeException(&type, &value, &traceback);
        if (traceback != 0 && value != 0)
        {
            _ = Errors.PyException_SetTraceback(new BorrowedRef(value), new BorrowedRef(traceback));
        }
        Objects.Py_DecRef(type);
        if (traceback != 0)
        {
            Objects.Py_DecRef(traceback);
        }
        return value;
    }

    private static PythonException Build(Python py, nint exception, SourceLookup sources, int depth, HashSet<nint> seen)
    {
        seen.Add(exception);
        var type = Objects.PyObject_Type(new BorrowedRef(exception)).Pointer;
        var typeName = TypeName(type);
        var frames = Frames(py, exception, sources, out var omitted);

        PythonException? cause = null, context = null;
        var suppress = false;
        if (depth < MaxChain)
        {
            var causeRef = Errors.PyException_GetCause(new BorrowedRef(exception)).Pointer;
            if (causeRef != 0)
            {
                if (!seen.Contains(causeRef))
                {
                    cause = Build(py, causeRef, sources, depth + 1, seen);
                }
                Objects.Py_DecRef(causeRef);
            }
            var contextRef = Errors.PyException_GetContext(new BorrowedRef(exception)).Pointer;
            if (contextRef != 0)
            {
                if (!seen.Contains(contextRef))
                {
                    context = Build(py, contextRef, sources, depth + 1, seen);
                }
                Objects.Py_DecRef(contextRef);
            }
            suppress = Attr(exception, "__suppress_context__"u8) is var s && s != 0 && Truthy(s, release: true);
        }

        try
        {
            if (Objects.PyType_IsSubtype(new BorrowedRef(type), new BorrowedRef(py.B.SyntaxError)) != 0)
            {
                return BuildSyntaxError(exception, typeName, frames);
            }
            return new PythonException(typeName, StrOf(exception), frames, cause, context, suppress, omitted);
        }
        finally
        {
            Objects.Py_DecRef(type);
        }
    }

    private static PythonSyntaxError BuildSyntaxError(nint exception, string typeName, IReadOnlyList<PythonFrame> frames)
    {
        var detail = StringAttr(exception, "msg"u8) ?? StrOf(exception);
        var text = StringAttr(exception, "text"u8);
        return new PythonSyntaxError(typeName, StrOf(exception), frames,
            StringAttr(exception, "filename"u8), IntAttr(exception, "lineno"u8), IntAttr(exception, "offset"u8),
            IntAttr(exception, "end_lineno"u8), IntAttr(exception, "end_offset"u8), text, detail);
    }

    private static List<PythonFrame> Frames(Python py, nint exception, SourceLookup sources, out int omitted)
    {
        var frames = new List<PythonFrame>();
        var total = 0;
        var tb = Errors.PyException_GetTraceback(new BorrowedRef(exception)).Pointer;
        if (tb == py.B.None)
        {
            Objects.Py_DecRef(tb);
            tb = 0;
        }
        while (tb != 0)
        {
            total++;
            if (frames.Count < MaxFrames)
            {
                frames.Add(Frame(tb, sources));
            }
            else
            {
                // Keep the first half and a rolling window of the last half.
                frames.RemoveAt(MaxFrames / 2);
                frames.Add(Frame(tb, sources));
            }
            var next = Attr(tb, "tb_next"u8);
            Objects.Py_DecRef(tb);
            tb = next;
            if (tb == py.B.None)
            {
                Objects.Py_DecRef(tb);
                tb = 0;
            }
        }
        omitted = total - frames.Count;
        return frames;
    }

    private static PythonFrame Frame(nint tb, SourceLookup sources)
    {
        var line = IntAttr(tb, "tb_lineno"u8) ?? 0;
        var frame = Attr(tb, "tb_frame"u8);
        var code = frame == 0 ? 0 : Attr(frame, "f_code"u8);
        var file = code == 0 ? "<unknown>" : StringAttr(code, "co_filename"u8) ?? "<unknown>";
        var function = code == 0 ? "<unknown>" : StringAttr(code, "co_name"u8) ?? "<unknown>";
        if (code != 0)
        {
            Objects.Py_DecRef(code);
        }
        if (frame != 0)
        {
            Objects.Py_DecRef(frame);
        }
        return new PythonFrame(file, line, function, sources.Line(file, line));
    }

    /// <summary><c>module.QualName</c> of a type, never throwing. Built-ins print without the module, and so do
    /// classes from <c>__main__</c> (user code) unless <paramref name="keepMainModule"/>, as Python's traceback does.</summary>
    internal static string TypeName(nint type, bool keepMainModule = false)
    {
        var name = StringAttr(type, "__qualname__"u8) ?? "<unknown>";
        var module = StringAttr(type, "__module__"u8);
        var omitModule = module is null or "builtins" || (module == "__main__" && !keepMainModule);
        return omitModule ? name : module + "." + name;
    }

    private static string StrOf(nint o)
    {
        var str = Objects.PyObject_Str(new BorrowedRef(o)).Pointer;
        if (str == 0)
        {
            Errors.PyErr_Clear();
            return "<exception str() failed>";
        }
        var text = Utf8(str) ?? "<exception str() failed>";
        Objects.Py_DecRef(str);
        return text;
    }

    private static nint Attr(nint o, ReadOnlySpan<byte> name)
    {
        fixed (byte* n = name)
        {
            var value = Objects.PyObject_GetAttrString(new BorrowedRef(o), n).Pointer;
            if (value == 0)
            {
                Errors.PyErr_Clear();
            }
            return value;
        }
    }

    private static string? StringAttr(nint o, ReadOnlySpan<byte> name)
    {
        var value = Attr(o, name);
        if (value == 0)
        {
            return null;
        }
        var text = Utf8(value); // null for None or any other non-str
        Objects.Py_DecRef(value);
        return text;
    }

    private static int? IntAttr(nint o, ReadOnlySpan<byte> name)
    {
        var value = Attr(o, name);
        if (value == 0)
        {
            return null;
        }
        int overflow;
        // None (or any non-int) raises TypeError here; the error is cleared and the attribute treated as absent.
        var result = Scalars.PyLong_AsLongLongAndOverflow(new BorrowedRef(value), &overflow);
        var absent = result == -1 && !Errors.PyErr_Occurred().IsNull;
        if (absent)
        {
            Errors.PyErr_Clear();
        }
        Objects.Py_DecRef(value);
        return absent ? null : (int)Math.Clamp(result, int.MinValue, int.MaxValue);
    }

    private static bool Truthy(nint o, bool release)
    {
        var result = Objects.PyObject_IsTrue(new BorrowedRef(o));
        if (result < 0)
        {
            Errors.PyErr_Clear();
        }
        if (release)
        {
            Objects.Py_DecRef(o);
        }
        return result > 0;
    }

    /// <summary>UTF-8 text of a str object, or null if it is not one (errors cleared).</summary>
    internal static string? Utf8(nint str)
    {
        nint size;
        var utf8 = Unicode.PyUnicode_AsUTF8AndSize(new BorrowedRef(str), &size);
        if (utf8 is null)
        {
            Errors.PyErr_Clear();
            return null;
        }
        return Encoding.UTF8.GetString(utf8, checked((int)size));
    }

    /// <summary>Source lines for frames: the code we compiled ourselves first, then <c>linecache</c>.</summary>
    private sealed class SourceLookup(string? file, string? source)
    {
        private string[]? _lines;
        private nint _getline = -1;

        public void Release()
        {
            if (_getline > 0)
            {
                Objects.Py_DecRef(_getline);
            }
            _getline = 0;
        }

        public string? Line(string frameFile, int line)
        {
            if (line <= 0)
            {
                return null;
            }
            if (file is not null && source is not null && frameFile == file)
            {
                _lines ??= source.Split('\n');
                return line <= _lines.Length ? NullIfEmpty(_lines[line - 1].Trim()) : null;
            }
            if (frameFile.StartsWith('<'))
            {
                return null; // synthetic filename: nothing on disk to read
            }
            return FromLinecache(frameFile, line);
        }

        private string? FromLinecache(string frameFile, int line)
        {
            if (_getline == -1)
            {
                fixed (byte* name = "linecache"u8)
                {
                    var module = Run.PyImport_ImportModule(name).Pointer;
                    _getline = module == 0 ? 0 : Attr(module, "getline"u8);
                    if (module == 0)
                    {
                        Errors.PyErr_Clear();
                    }
                    else
                    {
                        Objects.Py_DecRef(module);
                    }
                }
            }
            if (_getline == 0)
            {
                return null;
            }
            var fileBytes = Encoding.UTF8.GetBytes(frameFile);
            nint fileObject;
            fixed (byte* f = fileBytes)
            {
                fileObject = Unicode.PyUnicode_FromStringAndSize(f, fileBytes.Length).Pointer;
            }
            var lineObject = Scalars.PyLong_FromLongLong(line).Pointer;
            string? text = null;
            if (fileObject != 0 && lineObject != 0)
            {
                var args = stackalloc nint[2] { fileObject, lineObject };
                var result = Objects.PyObject_Vectorcall(new BorrowedRef(_getline), args, 2, BorrowedRef.Null).Pointer;
                if (result != 0)
                {
                    text = Utf8(result);
                    Objects.Py_DecRef(result);
                }
            }
            Errors.PyErr_Clear();
            if (fileObject != 0)
            {
                Objects.Py_DecRef(fileObject);
            }
            if (lineObject != 0)
            {
                Objects.Py_DecRef(lineObject);
            }
            return NullIfEmpty(text?.Trim());
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
    }
}
