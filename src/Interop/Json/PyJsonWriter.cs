using System.Runtime.CompilerServices;
using System.Text.Json;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

/// <summary>Writes a Python object graph straight to a <see cref="Utf8JsonWriter"/> (no <c>json.dumps</c> round trip).
/// One instance per conversion. The mapping is documented in <c>docs/json-mapping.md</c>.</summary>
/// <remarks>
/// <para>
/// Reference discipline: every <c>Write*</c> method needs its object kept alive by the caller for the
/// whole call. Items borrowed from a mutable container (list, dict) are only used borrowed while no Python
/// code can run: converting None, bool and exact str/int/float never calls back into Python. Anything else
/// may (a <c>__repr__</c>, <c>isoformat</c>, a dict subclass's <c>items</c>), and such code could drop the
/// container's reference, so a strong reference is taken first. On free-threaded builds another thread can
/// mutate a container at any time: list items come from <c>PyList_GetItemRef</c>, and dicts are walked
/// inside a per-dict critical section with key and value increfed before use, because a nested critical
/// section (even the one <c>PyUnicode_AsUTF8AndSize</c> takes to fill a str's UTF-8 cache) may suspend ours.
/// Tuple items are borrowed: a tuple never changes and the caller keeps it alive.
/// </para>
/// <para>
/// Recursion is bounded by <see cref="JsonConversionOptions.MaxDepth"/> (capped at
/// <see cref="JsonConversionOptions.MaxSupportedDepth"/>), with <see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/>
/// as a backstop on small stacks. Cycles are found by scanning the containers open on the current path
/// (at most MaxDepth of them), so an object shared by two branches is fine.
/// </para>
/// </remarks>
internal sealed unsafe partial class PyJsonWriter
{
    private readonly PythonInterpreter _interpreter;
    private readonly Builtins _b;
    private readonly Utf8JsonWriter _writer;
    private readonly JsonConversionOptions _options;
    private readonly JsonPath _path;
    private readonly nint[] _open;
    private readonly int _maxDepth;
    private readonly bool _writerLimitsDepth;
    private readonly long _limit;
    private readonly bool _freeThreaded;
    private readonly bool _strongListGetter;
    private readonly bool _immortalStaticTypes;
    private JsonTypeCache.Lookup _lookup;

    private PyJsonWriter(PythonInterpreter interpreter, Utf8JsonWriter writer, JsonConversionOptions options)
    {
        _interpreter = interpreter;
        _b = interpreter.Runtime.Builtins;
        _writer = writer;
        _options = options;
        // Utf8JsonWriter refuses to open containers beyond its own MaxDepth (0 means its default, 1000);
        // stop one step earlier with our own, clearer error.
        var writerDepth = (writer.Options.MaxDepth == 0 ? 1000 : writer.Options.MaxDepth) - writer.CurrentDepth;
        _maxDepth = Math.Min(options.MaxDepth, Math.Max(writerDepth, 0));
        _writerLimitsDepth = _maxDepth < options.MaxDepth;
        _path = new JsonPath();
        _open = new nint[_maxDepth + 1];
        var start = writer.BytesCommitted + writer.BytesPending;
        _limit = options.MaxOutputBytes > long.MaxValue - start ? long.MaxValue : start + options.MaxOutputBytes;
        _freeThreaded = _b.IsFreeThreaded;
        _strongListGetter = _b.HasStrongListGetter;
        // PEP 683: from 3.12 static types are immortal, so the reference PyObject_Type returns for a
        // built-in type needs no matching decref; on 3.11 it does.
        _immortalStaticTypes = interpreter.Runtime.Info.Version >= new Version(3, 12);
    }

    private Python Py => new(_interpreter);

    /// <summary>Writes <paramref name="obj"/> (kept alive by the caller) as one JSON value.</summary>
    public static void Write(PythonInterpreter interpreter, nint obj, Utf8JsonWriter writer, JsonConversionOptions options)
    {
        var state = new PyJsonWriter(interpreter, writer, options);
        state.WriteValue(obj, 0);
    }

    /// <summary>Writes a value the caller keeps alive; <paramref name="chained"/> is non-zero for the result of a library-type conversion.</summary>
    private void WriteValue(nint obj, int depth, int chained = 0)
    {
        if (TryWriteSingleton(obj, depth))
        {
            return;
        }
        var type = Objects.PyObject_Type(new BorrowedRef(obj)).Own();
        if (TryWriteExactScalar(obj, ref type, depth))
        {
            return;
        }
        try
        {
            WriteWithType(obj, type.Pointer, depth, chained);
        }
        finally
        {
            type.Dispose();
        }
    }

    /// <summary>Writes an item borrowed from a list or dict that the caller holds (GIL builds only): a strong
    /// reference is taken only when converting it might run Python code.</summary>
    private void WriteBorrowedItem(nint obj, int depth)
    {
        if (TryWriteSingleton(obj, depth))
        {
            return;
        }
        var type = Objects.PyObject_Type(new BorrowedRef(obj)).Own();
        if (TryWriteExactScalar(obj, ref type, depth))
        {
            return;
        }
        using var strong = new BorrowedRef(obj).NewReference();
        try
        {
            WriteWithType(obj, type.Pointer, depth, chained: 0);
        }
        finally
        {
            type.Dispose();
        }
    }

    private bool TryWriteSingleton(nint obj, int depth)
    {
        if (obj == _b.None)
        {
            _writer.WriteNullValue();
        }
        else if (obj == _b.True)
        {
            _writer.WriteBooleanValue(true);
        }
        else if (obj == _b.False)
        {
            _writer.WriteBooleanValue(false);
        }
        else
        {
            return false;
        }
        CheckSize(depth);
        return true;
    }

    /// <summary>Exact str, int and float: the bulk of most documents, converted without running Python code.
    /// Consumes the <paramref name="type"/> reference when it returns true.</summary>
    private bool TryWriteExactScalar(nint obj, ref OwnedRef type, int depth)
    {
        var pointer = type.Pointer;
        if (pointer == _b.UnicodeType)
        {
            ReleaseStaticType(ref type);
            WriteStr(obj, depth);
        }
        else if (pointer == _b.LongType)
        {
            ReleaseStaticType(ref type);
            WriteInt(obj, depth);
        }
        else if (pointer == _b.FloatType)
        {
            ReleaseStaticType(ref type);
            WriteFloat(obj, depth);
        }
        else
        {
            return false;
        }
        return true;
    }

    // A static built-in type lives for the whole process, so releasing our reference before using the
    // object is safe and keeps the exception paths simple. From 3.12 it is immortal (PEP 683): its count is
    // never changed, so the reference is dropped without the decref call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReleaseStaticType(ref OwnedRef type)
    {
        if (_immortalStaticTypes)
        {
            _ = type.Steal();
        }
        else
        {
            type.Dispose();
        }
    }

    /// <summary>Everything but None, bool and exact str/int/float; <paramref name="type"/> stays owned by the caller.</summary>
    private void WriteWithType(nint obj, nint type, int depth, int chained)
    {
        if (type == _b.DictType)
        {
            WriteDict(obj, depth);
            return;
        }
        if (type == _b.ListType)
        {
            WriteList(obj, depth);
            return;
        }
        if (type == _b.TupleType)
        {
            WriteTuple(obj, depth);
            return;
        }
        var flags = Objects.PyType_GetFlags(new BorrowedRef(type));
        if ((flags & Objects.Py_TPFLAGS_UNICODE_SUBCLASS) != 0)
        {
            WriteStr(obj, depth);
        }
        else if ((flags & Objects.Py_TPFLAGS_LONG_SUBCLASS) != 0)
        {
            WriteInt(obj, depth); // IntEnum and friends; bool was matched by identity earlier
        }
        else if ((flags & Objects.Py_TPFLAGS_DICT_SUBCLASS) != 0)
        {
            WriteMapping(obj, depth);
        }
        else if ((flags & Objects.Py_TPFLAGS_LIST_SUBCLASS) != 0)
        {
            WriteList(obj, depth);
        }
        else if ((flags & Objects.Py_TPFLAGS_TUPLE_SUBCLASS) != 0)
        {
            WriteTuple(obj, depth);
        }
        else if ((flags & Objects.Py_TPFLAGS_BYTES_SUBCLASS) != 0)
        {
            WriteBytes(obj, depth);
        }
        else if (IsSubtype(type, _b.FloatType))
        {
            WriteFloat(obj, depth);
        }
        else if (IsSubtype(type, _b.ByteArrayType))
        {
            WriteByteArray(obj, depth);
        }
        else if (IsSubtype(type, _b.SetType) || IsSubtype(type, _b.FrozenSetType))
        {
            WriteIterable(obj, depth);
        }
        else
        {
            WriteOther(obj, type, depth, chained);
        }
    }

    private static bool IsSubtype(nint type, nint baseType) =>
        Objects.PyType_IsSubtype(new BorrowedRef(type), new BorrowedRef(baseType)) != 0;

    /// <summary>Registers a container opening at <paramref name="depth"/>: enforces the depth limit and finds cycles.</summary>
    private void Enter(nint container, int depth)
    {
        CheckDepth(depth);
        for (var level = 0; level < depth; level++)
        {
            if (_open[level] == container)
            {
                var type = QualifiedTypeName(TypeOf(container));
                throw new PythonJsonException(PythonJsonErrorKind.Cycle,
                    $"Circular reference at {Path(depth)}: this {type} is already being converted at {Path(level)}.", Path(depth));
            }
        }
        _open[depth] = container;
    }

    private void CheckDepth(int depth)
    {
        if (depth >= _maxDepth)
        {
            var limit = _writerLimitsDepth
                ? $"the {_maxDepth} levels the Utf8JsonWriter still allows"
                : $"MaxDepth ({_maxDepth})";
            throw Failure(PythonJsonErrorKind.TooDeep, $"Nesting deeper than {limit}", depth);
        }
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Failure(PythonJsonErrorKind.TooDeep, $"Nesting too deep for this thread's stack ({depth} levels)", depth);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckSize(int depth)
    {
        if (_writer.BytesCommitted + _writer.BytesPending > _limit)
        {
            ThrowTooLarge(depth);
        }
    }

    /// <summary>Fails before writing something that would certainly pass the limit, so it is never buffered.</summary>
    private void Reserve(long bytes, int depth)
    {
        if (bytes > _limit - (_writer.BytesCommitted + _writer.BytesPending))
        {
            ThrowTooLarge(depth);
        }
    }

    private void ThrowTooLarge(int depth) =>
        throw Failure(PythonJsonErrorKind.TooLarge, $"JSON output exceeds MaxOutputBytes ({_options.MaxOutputBytes} bytes)", depth);

    private PythonJsonException Failure(PythonJsonErrorKind kind, string what, int depth)
    {
        var path = Path(depth);
        return new PythonJsonException(kind, $"{what} at {path}.", path);
    }

    private string Path(int levels) => _path.Format(levels, DescribeKey);

    private PythonException Error() => ExceptionBuilder.FromCurrent(Py);

    /// <summary>The type of a live object, borrowed: the object keeps its type alive.</summary>
    private static nint TypeOf(nint obj)
    {
        using var type = Objects.PyObject_Type(new BorrowedRef(obj)).Own();
        return type.Pointer;
    }

    /// <summary>Takes ownership of a native call's result, or throws its Python error.</summary>
    private OwnedRef Own(NewRef reference) => reference.IsNull ? throw Error() : reference.Own();
}
