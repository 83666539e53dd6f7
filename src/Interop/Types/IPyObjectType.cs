using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>A typed view over a <see cref="PyBound"/> (PyO3's <c>Bound&lt;'py, PyList&gt;</c>), obtained with
/// <see cref="PyBound.Cast{T}"/> or <see cref="PyBound.TryCast{T}(out T)"/>.</summary>
/// <remarks>
/// A view shares the one reference of the handle it was cast from, exactly as a copy of a <see cref="PyBound"/> does:
/// dispose the handle or the view, not both. The type checks use only exported functions
/// (<c>PyType_GetFlags</c>, <c>PyType_IsSubtype</c>, <c>PyIter_Check</c>, <c>PyCallable_Check</c>), never the
/// object header, whose layout differs on free-threaded builds. They never run Python code.
/// </remarks>
/// <typeparam name="TSelf">The view type itself.</typeparam>
public interface IPyObjectType<TSelf>
    where TSelf : IPyObjectType<TSelf>, allows ref struct
{
    /// <summary>The Python type name the view stands for, used in cast error messages (<c>list</c>).</summary>
    static abstract string PythonTypeName { get; }

    /// <summary>Whether <paramref name="obj"/> is an instance of this view's type (subclasses included).</summary>
    static abstract bool TypeCheck(PyBound obj);

    /// <summary>Wraps a handle already checked by <see cref="TypeCheck"/>.</summary>
    internal static abstract TSelf Wrap(PyBound obj);

    /// <summary>The untyped handle (sharing this view's reference).</summary>
    PyBound AsBound { get; }
}

public readonly ref partial struct PyBound
{
    /// <summary>A typed view if this object is an instance of <typeparamref name="T"/>'s type (subclasses included).
    /// The view shares this handle's reference: dispose one of the two.</summary>
    public bool TryCast<T>([MaybeNullWhen(false)] out T view)
        where T : IPyObjectType<T>, allows ref struct
    {
        NotNull();
        if (T.TypeCheck(this))
        {
            view = T.Wrap(this);
            return true;
        }
        view = default;
        return false;
    }

    /// <summary>A typed view of this object; throws <see cref="InvalidCastException"/> (a <c>TypeError</c> when it
    /// reaches Python) if it is not an instance of <typeparamref name="T"/>'s type. Shares this handle's reference.</summary>
    public T Cast<T>()
        where T : IPyObjectType<T>, allows ref struct
    {
        NotNull();
        return T.TypeCheck(this)
            ? T.Wrap(this)
            : throw new InvalidCastException($"Expected {T.PythonTypeName}, got {TypeName}.");
    }

    /// <summary>Whether this object is an instance of <typeparamref name="T"/>'s type.</summary>
    public bool IsInstanceOf<T>()
        where T : IPyObjectType<T>, allows ref struct
    {
        NotNull();
        return T.TypeCheck(this);
    }

    /// <summary>The <c>tp_flags</c> of this object's type, read through <c>PyType_GetFlags</c>.</summary>
    internal ulong TypeFlags()
    {
        using var type = Objects.PyObject_Type(Borrow()).Own();
        return Objects.PyType_GetFlags(type.Borrow());
    }

    /// <summary>True if this object's type is <paramref name="type"/> or a subclass of it (pure C, no <c>__instancecheck__</c>).</summary>
    internal bool HasType(nint type)
    {
        using var own = Objects.PyObject_Type(Borrow()).Own();
        return own.Pointer == type || Objects.PyType_IsSubtype(own.Borrow(), new BorrowedRef(type)) != 0;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> for a null handle inside a typed view.</summary>
    internal PyBound Checked(string view, string member)
    {
        if (IsNull)
        {
            throw new InvalidOperationException($"{view}.{member} was called on a default (null) view.");
        }
        return this;
    }
}
