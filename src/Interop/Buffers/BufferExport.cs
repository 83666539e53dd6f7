using System.Buffers;
using System.Runtime.InteropServices;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

public readonly ref partial struct Python
{
    /// <summary>A Python object exposing <paramref name="memory"/> through the buffer protocol, without copying:
    /// <c>numpy.asarray(obj)</c> or <c>memoryview(obj)</c> see (and, unless <paramref name="readOnly"/>, write) the .NET
    /// memory itself.</summary>
    /// <remarks>
    /// The memory is pinned (<see cref="Memory{T}.Pin"/>) until the exporter object and every view of it are gone: each
    /// view holds a reference to the exporter, and the exporter's state is released only when Python frees it. So the .NET
    /// array cannot move or be collected while numpy uses it, however long the view lives. .NET code may keep reading and
    /// writing the same memory; it shares it with Python, so coordinate writes as with any shared buffer.
    /// </remarks>
    public PyBound ShareBuffer<T>(Memory<T> memory, bool readOnly = false)
        where T : unmanaged => BufferExport.Create(this, memory, [memory.Length], readOnly);

    /// <summary>As <see cref="ShareBuffer{T}(Memory{T}, bool)"/>, as a 2-D row-major array of
    /// <paramref name="rows"/> × <paramref name="columns"/> items.</summary>
    public PyBound ShareBuffer<T>(Memory<T> memory, int rows, int columns, bool readOnly = false)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != memory.Length)
        {
            throw new ArgumentException($"{rows} × {columns} items do not match the memory's {memory.Length}.", nameof(memory));
        }
        return BufferExport.Create(this, memory, [rows, columns], readOnly);
    }
}

/// <summary>The exporter type and its buffer slots.</summary>
/// <remarks>
/// The type is made with <c>PyType_FromSpecWithBases</c> over a small Python base class that has one slot,
/// <c>_sidewinder_state</c>: a capsule holding a GC handle to the <see cref="State"/>. The capsule's destructor (run when
/// the exporter is freed, which cannot happen while a view holds it) unpins the memory and frees the native shape and
/// strides. No object field is read from C#; the state is reached through the attribute.
/// </remarks>
internal static unsafe class BufferExport
{

    internal sealed class State : IDisposable
    {
        public MemoryHandle Pin;
        public nint Length;
        public nint ItemSize;
        public bool ReadOnly;
        public int Dimensions;
        public nint* Shape;
        public nint* Strides;
        public byte* Format;
        public int Views;

        public void Dispose()
        {
            Pin.Dispose();
            NativeMemory.Free(Shape);
            NativeMemory.Free(Strides);
            NativeMemory.Free(Format);
            Shape = Strides = null;
            Format = null;
        }
    }

    public static PyBound Create<T>(Python py, Memory<T> memory, scoped ReadOnlySpan<int> shape, bool readOnly)
        where T : unmanaged
    {
        var state = new State
        {
            Pin = memory.Pin(),
            Length = (nint)memory.Length * sizeof(T),
            ItemSize = sizeof(T),
            ReadOnly = readOnly,
            Dimensions = shape.Length,
            Shape = (nint*)NativeMemory.Alloc((nuint)(shape.Length * sizeof(nint))),
            Strides = (nint*)NativeMemory.Alloc((nuint)(shape.Length * sizeof(nint))),
            Format = Utf8(BufferFormats.Code<T>()[..1]),
        };
        var stride = (nint)sizeof(T);
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            state.Shape[d] = shape[d];
            state.Strides[d] = stride;
            stride *= shape[d];
        }
        var handle = GCHandle.Alloc(state);
        var capsule = Protocols.PyCapsule_New(GCHandle.ToIntPtr(handle), null, &DestroyState);
        if (capsule.IsNull)
        {
            handle.Free();
            state.Dispose();
            throw py.Error();
        }
        using var stateCapsule = new PyBound(py, capsule);
        var type = PyBound.NewReference(py, ExporterType(py));
        using (type)
        {
            var exporter = py.Own(Objects.PyObject_CallNoArgs(type.Borrow()));
            exporter.SetAttr("_sidewinder_state", stateCapsule);
            return exporter;
        }
    }

    private static byte* Utf8(string text)
    {
        var bytes = (byte*)NativeMemory.AllocZeroed((nuint)text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = (byte)text[i];
        }
        return bytes;
    }

    /// <summary>The exporter type, created on first use and kept for the life of the interpreter.</summary>
    private static nint ExporterType(Python py) => py.Interpreter.BufferExporterType.GetOrInit(py, CreateExporterType);

    private static nint CreateExporterType(Python py)
    {
        using var globals = py.NewGlobals("sidewinder");
        using var code = py.Compile("class _Base:\n    __slots__ = ('_sidewinder_state',)\n", "<sidewinder buffer>", CompileMode.Exec);
        py.Execute(code, globals);
        using var baseType = globals.GetItem("_Base");
        using var bases = py.Own(Containers.PyTuple_New(1));
        var item = baseType.Borrow().NewReference();
        _ = Containers.PyTuple_SetItem(bases.Borrow(), 0, item.Steal());

        var slots = stackalloc PyTypeSlot[3];
        slots[0] = new PyTypeSlot { Slot = Protocols.Py_bf_getbuffer, Pfunc = (nint)(delegate* unmanaged<nint, Py_buffer*, int, int>)&GetBuffer };
        slots[1] = new PyTypeSlot { Slot = Protocols.Py_bf_releasebuffer, Pfunc = (nint)(delegate* unmanaged<nint, Py_buffer*, void>)&ReleaseBuffer };
        slots[2] = default;
        // The spec's name must outlive the type: a UTF-8 literal lives in the assembly's data.
        fixed (byte* name = "sidewinder.SharedBuffer"u8)
        {
            var spec = new PyTypeSpec { Name = name, BasicSize = 0, ItemSize = 0, Flags = 0, Slots = slots };
            var type = py.Own(Protocols.PyType_FromSpecWithBases(&spec, bases.Borrow()));
            return type.Steal().Pointer; // kept for the interpreter's life
        }
    }

    private static State? StateOf(nint exporter)
    {
        fixed (byte* attribute = "_sidewinder_state"u8)
        {
            using var capsule = Objects.PyObject_GetAttrString(new BorrowedRef(exporter), attribute).Own();
            if (capsule.IsNull)
            {
                return null;
            }
            var pointer = Protocols.PyCapsule_GetPointer(capsule.Borrow(), null);
            return pointer == 0 ? null : (State?)GCHandle.FromIntPtr(pointer).Target;
        }
    }

    [UnmanagedCallersOnly]
    private static int GetBuffer(nint exporter, Py_buffer* view, int flags)
    {
        view->Obj = 0;
        var state = StateOf(exporter);
        if (state is null)
        {
            SetBufferError("this SharedBuffer has no memory attached (create it with Python.ShareBuffer)"u8);
            return -1;
        }
        if ((flags & Protocols.PyBUF_WRITABLE) != 0 && state.ReadOnly)
        {
            SetBufferError("the shared .NET memory is read-only"u8);
            return -1;
        }
        var self = new BorrowedRef(exporter).NewReference();
        view->Obj = self.Steal().Pointer; // the view keeps the exporter, and so the pinned memory, alive
        view->Buf = state.Pin.Pointer;
        view->Len = state.Length;
        view->ItemSize = state.ItemSize;
        view->ReadOnly = state.ReadOnly ? 1 : 0;
        view->NDim = state.Dimensions;
        view->Format = (flags & Protocols.PyBUF_FORMAT) != 0 ? state.Format : null;
        view->Shape = (flags & Protocols.PyBUF_ND) != 0 ? state.Shape : null;
        view->Strides = (flags & Protocols.PyBUF_STRIDES) == Protocols.PyBUF_STRIDES ? state.Strides : null;
        view->SubOffsets = null;
        view->Internal = null;
        Interlocked.Increment(ref state.Views);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void ReleaseBuffer(nint exporter, Py_buffer* view)
    {
        _ = view;
        if (StateOf(exporter) is { } state)
        {
            Interlocked.Decrement(ref state.Views);
        }
    }

    [UnmanagedCallersOnly]
    private static void DestroyState(nint capsule)
    {
        var pointer = FastNative.PyCapsule_GetPointer(new BorrowedRef(capsule), null);
        if (pointer != 0)
        {
            var handle = GCHandle.FromIntPtr(pointer);
            ((State?)handle.Target)?.Dispose();
            handle.Free();
        }
    }

    private static void SetBufferError(ReadOnlySpan<byte> message)
    {
        fixed (byte* m = message)
        {
            Errors.PyErr_SetString(new BorrowedRef(*(nint*)PythonLibrary.GetExport("PyExc_BufferError")), m);
        }
    }

    /// <summary>Open views of the exporter (for tests).</summary>
    internal static int ViewCount(PyBound exporter) => StateOf(exporter.Pointer)?.Views ?? -1;
}
