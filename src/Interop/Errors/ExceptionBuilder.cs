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
        using var exception = Fetch(py).Own();
        if (exception.IsNull)
        {
            return new PythonException("SystemError", "a Python API call failed without setting an exception", []);
        }
        var sources = new SourceLookup(sourceFile, source);
        try
        {
            return Build(py, exception.Borrow(), sources, depth: 0, seen: []);
        }
        finally
        {
            sources.Release();
        }
    }

    /// <summary>Takes the raised exception (a new reference, with its traceback attached) and clears the error indicator.</summary>
    internal static NewRef Fetch(Python py)
    {
        if (py.B.HasRaisedExceptionApi)
        {
            return Errors.PyErr_GetRaisedException();
        }
        nint typePointer, valuePointer, tracebackPointer;
        Errors.PyErr_Fetch(&typePointer, &valuePointer, &tracebackPointer);
        Errors.PyErr_NormalizeException(&typePointer, &valuePointer, &tracebackPointer);
        // PyErr_Fetch hands over three new references (any may be null).
        using var type = new NewRef(typePointer).Own();
        using var traceback = new NewRef(tracebackPointer).Own();
        var value = new NewRef(valuePointer);
        if (!traceback.IsNull && !value.IsNull)
        {
            _ = Errors.PyException_SetTraceback(value.Borrow(), traceback.Borrow());
        }
        return value;
    }

    private static PythonException Build(Python py, BorrowedRef exception, SourceLookup sources, int depth, HashSet<nint> seen)
    {
        seen.Add(exception.Pointer);
        using var type = Objects.PyObject_Type(exception).Own();
        var typeName = TypeName(type.Pointer);
        var frames = Frames(py, exception, sources, out var omitted);

        PythonException? cause = null, context = null;
        var suppress = false;
        if (depth < MaxChain)
        {
            cause = Linked(py, Errors.PyException_GetCause(exception), sources, depth, seen);
            context = Linked(py, Errors.PyException_GetContext(exception), sources, depth, seen);
            using var suppressContext = Attr(exception, "__suppress_context__"u8);
            suppress = !suppressContext.IsNull && Truthy(suppressContext.Borrow());
        }

        var built = Objects.PyType_IsSubtype(type.Borrow(), new BorrowedRef(py.B.SyntaxError)) != 0
            ? BuildSyntaxError(exception, typeName, frames)
            : new PythonException(typeName, StrOf(exception), frames, cause, context, suppress, omitted);
        built.PythonTypeHierarchy = Hierarchy(type.Borrow());
        return built;
    }

    /// <summary>The names of the type's <c>__mro__</c>, spelt like <see cref="TypeName"/>, for <see cref="PythonException.Is(string)"/>.</summary>
    private static string[] Hierarchy(BorrowedRef type)
    {
        using var mro = Attr(type, "__mro__"u8);
        if (mro.IsNull)
        {
            return [];
        }
        var count = Containers.PyTuple_Size(mro.Borrow());
        if (count < 0)
        {
            Errors.PyErr_Clear();
            return [];
        }
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = TypeName(Containers.PyTuple_GetItem(mro.Borrow(), i).Pointer);
        }
        return names;
    }

    /// <summary>The cause or context (a new reference, possibly null), unless already on the chain.</summary>
    private static PythonException? Linked(Python py, NewRef linked, SourceLookup sources, int depth, HashSet<nint> seen)
    {
        using var owned = linked.Own();
        return owned.IsNull || seen.Contains(owned.Pointer) ? null : Build(py, owned.Borrow(), sources, depth + 1, seen);
    }

    private static PythonSyntaxError BuildSyntaxError(BorrowedRef exception, string typeName, IReadOnlyList<PythonFrame> frames)
    {
        var detail = StringAttr(exception, "msg"u8) ?? StrOf(exception);
        var text = StringAttr(exception, "text"u8);
        return new PythonSyntaxError(typeName, StrOf(exception), frames,
            StringAttr(exception, "filename"u8), IntAttr(exception, "lineno"u8), IntAttr(exception, "offset"u8),
            IntAttr(exception, "end_lineno"u8), IntAttr(exception, "end_offset"u8), text, detail);
    }

    private static List<PythonFrame> Frames(Python py, BorrowedRef exception, SourceLookup sources, out int omitted)
    {
        var frames = new List<PythonFrame>();
        var total = 0;
        var tb = Errors.PyException_GetTraceback(exception).Own();
        try
        {
            while (!tb.IsNull && tb.Pointer != py.B.None)
            {
                total++;
                if (frames.Count >= MaxFrames)
                {
                    // Keep the first half and a rolling window of the last half.
                    frames.RemoveAt(MaxFrames / 2);
                }
                frames.Add(Frame(tb.Borrow(), sources));
                var next = Attr(tb.Borrow(), "tb_next"u8);
                tb.Dispose();
                tb = next;
            }
        }
        finally
        {
            tb.Dispose();
        }
        omitted = total - frames.Count;
        return frames;
    }

    private static PythonFrame Frame(BorrowedRef tb, SourceLookup sources)
    {
        var line = IntAttr(tb, "tb_lineno"u8) ?? 0;
        using var frame = Attr(tb, "tb_frame"u8);
        using var code = frame.IsNull ? default : Attr(frame.Borrow(), "f_code"u8);
        var file = code.IsNull ? "<unknown>" : StringAttr(code.Borrow(), "co_filename"u8) ?? "<unknown>";
        var function = code.IsNull ? "<unknown>" : StringAttr(code.Borrow(), "co_name"u8) ?? "<unknown>";
        return new PythonFrame(file, line, function, sources.Line(file, line));
    }

    /// <summary><c>module.QualName</c> of a type, never throwing. Built-ins print without the module, and so do
    /// classes from <c>__main__</c> (user code) unless <paramref name="keepMainModule"/>, as Python's traceback does.</summary>
    internal static string TypeName(nint type, bool keepMainModule = false)
    {
        var name = StringAttr(new BorrowedRef(type), "__qualname__"u8) ?? "<unknown>";
        var module = StringAttr(new BorrowedRef(type), "__module__"u8);
        var omitModule = module is null or "builtins" || (module == "__main__" && !keepMainModule);
        return omitModule ? name : module + "." + name;
    }

    private static string StrOf(BorrowedRef o)
    {
        using var str = Objects.PyObject_Str(o).Own();
        if (str.IsNull)
        {
            Errors.PyErr_Clear();
            return "<exception str() failed>";
        }
        return Utf8(str.Borrow()) ?? "<exception str() failed>";
    }

    /// <summary><c>getattr(o, name)</c>, or null with the error cleared.</summary>
    private static OwnedRef Attr(BorrowedRef o, ReadOnlySpan<byte> name)
    {
        fixed (byte* n = name)
        {
            var value = Objects.PyObject_GetAttrString(o, n).Own();
            if (value.IsNull)
            {
                Errors.PyErr_Clear();
            }
            return value;
        }
    }

    private static string? StringAttr(BorrowedRef o, ReadOnlySpan<byte> name)
    {
        using var value = Attr(o, name);
        return value.IsNull ? null : Utf8(value.Borrow()); // null for None or any other non-str
    }

    private static int? IntAttr(BorrowedRef o, ReadOnlySpan<byte> name)
    {
        using var value = Attr(o, name);
        if (value.IsNull)
        {
            return null;
        }
        int overflow;
        // None (or any non-int) raises TypeError here; the error is cleared and the attribute treated as absent.
        var result = Scalars.PyLong_AsLongLongAndOverflow(value.Borrow(), &overflow);
        var absent = result == -1 && !Errors.PyErr_Occurred().IsNull;
        if (absent)
        {
            Errors.PyErr_Clear();
        }
        return absent ? null : (int)Math.Clamp(result, int.MinValue, int.MaxValue);
    }

    private static bool Truthy(BorrowedRef o)
    {
        var result = Objects.PyObject_IsTrue(o);
        if (result < 0)
        {
            Errors.PyErr_Clear();
        }
        return result > 0;
    }

    /// <summary>Text of a str object (surrogates replaced with U+FFFD), or null if it is not one (errors cleared).</summary>
    internal static string? Utf8(BorrowedRef str) => PyText.TryRead(str);

    /// <summary>Source lines for frames: the code we compiled ourselves first, then <c>linecache</c>.</summary>
    private sealed class SourceLookup(string? file, string? source)
    {
        private string[]? _lines;
        private bool _looked;
        private NewRef _getline; // linecache.getline once looked up; released by Release, the one release point

        public void Release()
        {
            _getline.Release();
            _getline = default;
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
                // The caller's .NET source may hold unpaired surrogates; text leaving Interop never does.
                return line <= _lines.Length ? NullIfEmpty(PyText.ReplaceLoneSurrogates(_lines[line - 1].Trim())) : null;
            }
            if (frameFile.StartsWith('<'))
            {
                return null; // synthetic filename: nothing on disk to read
            }
            return FromLinecache(frameFile, line);
        }

        private string? FromLinecache(string frameFile, int line)
        {
            if (!_looked)
            {
                _looked = true;
                fixed (byte* name = "linecache"u8)
                {
                    using var module = Run.PyImport_ImportModule(name).Own();
                    if (module.IsNull)
                    {
                        Errors.PyErr_Clear();
                    }
                    else
                    {
                        var getline = Attr(module.Borrow(), "getline"u8);
                        _getline = getline.Steal();
                    }
                }
            }
            if (_getline.IsNull)
            {
                return null;
            }
            var fileBytes = Encoding.UTF8.GetBytes(frameFile);
            using var fileObject = Utf8Object(fileBytes);
            using var lineObject = Scalars.PyLong_FromLongLong(line).Own();
            string? text = null;
            if (!fileObject.IsNull && !lineObject.IsNull)
            {
                var args = stackalloc nint[2] { fileObject.Pointer, lineObject.Pointer };
                using var result = Objects.PyObject_Vectorcall(_getline.Borrow(), args, 2, BorrowedRef.Null).Own();
                text = result.IsNull ? null : Utf8(result.Borrow());
            }
            Errors.PyErr_Clear();
            return NullIfEmpty(text?.Trim());
        }

        private static OwnedRef Utf8Object(byte[] utf8)
        {
            fixed (byte* f = utf8)
            {
                return Unicode.PyUnicode_FromStringAndSize(f, utf8.Length).Own();
            }
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
    }
}
