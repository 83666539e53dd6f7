using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A buffer-protocol view of a Python object's memory (<c>bytes</c>, <c>bytearray</c>, <c>memoryview</c>,
/// <c>array.array</c>, numpy arrays), read or written in place as spans: <c>using var buffer = PyBuffer.Get(array);</c>.</summary>
/// <remarks>
/// <c>PyObject_GetBuffer</c> pins the exporter's memory until <see cref="Dispose"/> calls <c>PyBuffer_Release</c>: a
/// <c>bytearray</c> cannot be resized and a numpy array cannot be resized in place meanwhile. Dispose while attached (the
/// view is a ref struct bound to the token, so it cannot escape the attach scope). The element type of each span is
/// checked against the buffer's struct-module format (<c>d</c> for <c>double</c>, <c>i</c> for <c>int</c>, <c>l</c>/<c>q</c>
/// for <c>long</c>, …) and item size; a span over the whole buffer requires C-contiguous memory, and strided memory is
/// read item by item with <see cref="Get{T}(long)"/> / <see cref="Get{T}(long, long)"/>.
/// </remarks>
public unsafe ref struct PyBuffer
{
    private Py_buffer* _view;
    private readonly Python _py;

    private PyBuffer(Python py, Py_buffer* view)
    {
        _py = py;
        _view = view;
    }

    /// <summary>Requests a buffer from <paramref name="exporter"/>; <paramref name="writable"/> asks for write access, which
    /// read-only exporters (<c>bytes</c>, a read-only numpy array) refuse with <c>BufferError</c>.</summary>
    public static PyBuffer Get(PyBound exporter, bool writable = false)
    {
        var py = exporter.Py;
        var view = (Py_buffer*)NativeMemory.AllocZeroed((nuint)sizeof(Py_buffer));
        var flags = Protocols.PyBUF_RECORDS_RO | (writable ? Protocols.PyBUF_WRITABLE : 0);
        if (Protocols.PyObject_GetBuffer(exporter.Borrow(), view, flags) < 0)
        {
            NativeMemory.Free(view);
            throw py.Error();
        }
        if (view->SubOffsets is not null)
        {
            Protocols.PyBuffer_Release(view);
            NativeMemory.Free(view);
            throw new NotSupportedException("Buffers with suboffsets (PIL-style indirect arrays) are not supported.");
        }
        return new PyBuffer(py, view);
    }

    private readonly Py_buffer* View => _view is not null ? _view : throw new ObjectDisposedException(nameof(PyBuffer));

    /// <summary>Whether the exporter refuses writes.</summary>
    public readonly bool IsReadOnly => View->ReadOnly != 0;

    /// <summary>The struct-module format of one item (<c>B</c> when the exporter gives none).</summary>
    public readonly string Format => View->Format is null ? "B" : Marshal.PtrToStringUTF8((nint)View->Format) ?? "B";

    /// <summary>Bytes per item.</summary>
    public readonly int ItemSize => checked((int)View->ItemSize);

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public readonly int Dimensions => View->NDim;

    /// <summary>Total size in bytes (<c>product(shape) * itemsize</c>).</summary>
    public readonly long LengthInBytes => View->Len;

    /// <summary>Items along <paramref name="dimension"/>.</summary>
    public readonly long Shape(int dimension)
    {
        var d = Dimension(dimension);
        return View->Shape is null ? View->Len / View->ItemSize : View->Shape[d];
    }

    /// <summary>Bytes between consecutive items along <paramref name="dimension"/> (negative for reversed views).</summary>
    public readonly long Stride(int dimension)
    {
        var d = Dimension(dimension);
        if (View->Strides is not null)
        {
            return View->Strides[d];
        }
        // No strides: C-contiguous, so a dimension's stride is the product of the later extents.
        var stride = View->ItemSize;
        for (var i = View->NDim - 1; i > d; i--)
        {
            stride *= View->Shape[i];
        }
        return stride;
    }

    /// <summary>True if the items are laid out row-major without gaps.</summary>
    public readonly bool IsCContiguous
    {
        get
        {
            var expected = (long)View->ItemSize;
            for (var d = View->NDim - 1; d >= 0; d--)
            {
                var extent = Shape(d);
                if (extent > 1 && Stride(d) != expected)
                {
                    return false;
                }
                expected *= extent;
            }
            return true;
        }
    }

    /// <summary>All items as a read-only span; requires C-contiguous memory and a format matching <typeparamref name="T"/>.</summary>
    public readonly ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged => Whole<T>();

    /// <summary>All items as a writable span; requires a writable buffer (request it with <c>writable: true</c>).</summary>
    public readonly Span<T> AsWritableSpan<T>()
        where T : unmanaged
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException("The buffer is read-only; request it with PyBuffer.Get(obj, writable: true) from a writable exporter.");
        }
        return Whole<T>();
    }

    /// <summary>The raw bytes of a C-contiguous buffer of any format.</summary>
    internal readonly ReadOnlySpan<byte> RawBytes() => IsCContiguous
        ? new ReadOnlySpan<byte>(View->Buf, checked((int)View->Len))
        : throw new InvalidOperationException("The buffer is not C-contiguous.");

    /// <summary>Row <paramref name="row"/> of a 2-D array whose rows are contiguous.</summary>
    public readonly ReadOnlySpan<T> Row<T>(long row)
        where T : unmanaged
    {
        CheckItem<T>();
        if (View->NDim != 2 || Stride(1) != sizeof(T))
        {
            throw new InvalidOperationException($"Row() needs a 2-D buffer with contiguous rows; this one has {View->NDim} dimension(s) and strides ({Strides()}).");
        }
        var rows = Shape(0);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, rows);
        return new ReadOnlySpan<T>((byte*)View->Buf + (row * Stride(0)), checked((int)Shape(1)));
    }

    /// <summary>Item <paramref name="index"/> of a 1-D buffer, honouring its stride.</summary>
    public readonly T Get<T>(long index)
        where T : unmanaged
    {
        CheckItem<T>();
        RequireDimensions(1);
        return Unsafe.ReadUnaligned<T>((byte*)View->Buf + (Checked(index, 0) * Stride(0)));
    }

    /// <summary>Item <c>[row, column]</c> of a 2-D buffer, honouring its strides.</summary>
    public readonly T Get<T>(long row, long column)
        where T : unmanaged
    {
        CheckItem<T>();
        RequireDimensions(2);
        return Unsafe.ReadUnaligned<T>((byte*)View->Buf + (Checked(row, 0) * Stride(0)) + (Checked(column, 1) * Stride(1)));
    }

    /// <summary>Releases the buffer (<c>PyBuffer_Release</c>); the exporter may move or resize its memory afterwards.</summary>
    public void Dispose()
    {
        var view = _view;
        _view = null;
        if (view is not null)
        {
            _ = _py;
            Protocols.PyBuffer_Release(view);
            NativeMemory.Free(view);
        }
    }

    private readonly Span<T> Whole<T>()
        where T : unmanaged
    {
        CheckItem<T>();
        if (!IsCContiguous)
        {
            throw new InvalidOperationException($"The buffer is not C-contiguous (shape ({Shapes()}), strides ({Strides()})); read it item by item with Get<T>(), or copy it first (numpy.ascontiguousarray).");
        }
        return new Span<T>(View->Buf, checked((int)(View->Len / sizeof(T))));
    }

    private readonly void CheckItem<T>()
        where T : unmanaged
    {
        if (!BufferFormats.Matches<T>(Format, View->ItemSize))
        {
            throw new InvalidCastException($"The buffer holds items of format '{Format}' ({View->ItemSize} bytes), not {typeof(T).Name}.");
        }
    }

    private readonly int Dimension(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(dimension, Math.Max(View->NDim, 1));
        return dimension;
    }

    private readonly void RequireDimensions(int dimensions)
    {
        if (View->NDim != dimensions)
        {
            throw new InvalidOperationException($"The buffer has {View->NDim} dimension(s), not {dimensions}.");
        }
    }

    private readonly long Checked(long index, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Shape(dimension));
        return index;
    }

    private readonly string Shapes()
    {
        var parts = new long[View->NDim];
        for (var d = 0; d < parts.Length; d++)
        {
            parts[d] = Shape(d);
        }
        return string.Join(", ", parts);
    }

    private readonly string Strides()
    {
        var parts = new long[View->NDim];
        for (var d = 0; d < parts.Length; d++)
        {
            parts[d] = Stride(d);
        }
        return string.Join(", ", parts);
    }
}

/// <summary>Struct-module format codes for .NET element types (native byte order, LP64).</summary>
internal static class BufferFormats
{
    public static unsafe bool Matches<T>(string format, nint itemSize)
        where T : unmanaged
    {
        if (itemSize != sizeof(T))
        {
            return false;
        }
        var code = format.Length switch
        {
            1 => format[0],
            // '@' and '=' are native order; '<' is little endian, which is native on every platform .NET runs Python on here.
            2 when format[0] is '@' or '=' or '<' => format[1],
            _ => '\0',
        };
        return Code<T>().Contains(code, StringComparison.Ordinal);
    }

    /// <summary>The codes accepted for a type; any same-size integer code is accepted for integer types, because the C
    /// names (<c>l</c> vs <c>q</c>) differ between platforms for the same width.</summary>
    public static string Code<T>() => typeof(T) switch
    {
        var t when t == typeof(double) => "d",
        var t when t == typeof(float) => "f",
        var t when t == typeof(Half) => "e",
        var t when t == typeof(bool) => "?",
        var t when t == typeof(sbyte) => "bc",
        var t when t == typeof(byte) => "Bc",
        var t when t == typeof(short) => "h",
        var t when t == typeof(ushort) => "H",
        var t when t == typeof(int) => "il",
        var t when t == typeof(uint) => "IL",
        var t when t == typeof(long) => "lqn",
        var t when t == typeof(ulong) => "LQN",
        _ => "",
    };
}
