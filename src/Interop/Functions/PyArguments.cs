using System.Diagnostics.CodeAnalysis;
using Sidewinder.Interop.Conversion;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>The arguments of a call from Python into a .NET function, read in place from CPython's vectorcall array
/// (<c>METH_FASTCALL | METH_KEYWORDS</c>): no tuple or dict is built unless asked for.</summary>
/// <remarks>Every handle it gives out is borrowed from the caller and valid for the duration of the call: do not dispose
/// it, and <see cref="PyBound.Clone"/> it to return it or keep it.</remarks>
public readonly unsafe ref struct PyArguments
{
    private readonly Python _py;
    private readonly nint* _args;
    private readonly int _positional;
    private readonly nint _kwnames;

    internal PyArguments(Python py, nint* args, int positional, nint kwnames)
    {
        _py = py;
        _args = args;
        _positional = positional;
        _kwnames = kwnames;
    }

    /// <summary>Number of positional arguments.</summary>
    public int Count => _positional;

    /// <summary>Number of keyword arguments.</summary>
    public int KeywordCount => _kwnames == 0 ? 0 : checked((int)Containers.PyTuple_Size(new BorrowedRef(_kwnames)));

    /// <summary>Positional argument <paramref name="index"/> (borrowed).</summary>
    public PyBound this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            if (index >= _positional)
            {
                throw PythonException.Raise("TypeError", $"missing positional argument {index + 1} (got {_positional})");
            }
            return PyBound.Borrowed(_py, _args[index]);
        }
    }

    /// <summary>Positional argument <paramref name="index"/> converted to <typeparamref name="T"/>.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T Get<T>(int index) => Converters<T>.Instance.FromPython(this[index]);

    /// <summary>The keyword argument <paramref name="name"/> (borrowed), or a null handle if it was not passed.</summary>
    public PyBound Keyword(string name)
    {
        var count = KeywordCount;
        for (var i = 0; i < count; i++)
        {
            var key = PyBound.Borrowed(_py, Containers.PyTuple_GetItem(new BorrowedRef(_kwnames), i).Pointer);
            if (key.GetString() == name)
            {
                return PyBound.Borrowed(_py, _args[_positional + i]);
            }
        }
        return default;
    }

    /// <summary>The name of keyword argument <paramref name="index"/> (0 ≤ index &lt; <see cref="KeywordCount"/>).</summary>
    public string KeywordName(int index) =>
        PyBound.Borrowed(_py, Containers.PyTuple_GetItem(new BorrowedRef(_kwnames), index).Pointer).GetString();

    /// <summary>The keyword argument <paramref name="name"/> converted, or <paramref name="fallback"/> if not passed.</summary>
    [RequiresDynamicCode(ConversionAot.Reason)]
    [RequiresUnreferencedCode(ConversionAot.Reason)]
    public T Get<T>(string name, T fallback)
    {
        var value = Keyword(name);
        return value.IsNull ? fallback : Converters<T>.Instance.FromPython(value);
    }

    /// <summary>The positional arguments as a new tuple (<c>*args</c>).</summary>
    public PyTuple ToTuple()
    {
        var tuple = _py.Own(Containers.PyTuple_New(_positional));
        for (var i = 0; i < _positional; i++)
        {
            var item = new BorrowedRef(_args[i]).NewReference();
            _ = Containers.PyTuple_SetItem(tuple.Borrow(), i, item.Steal());
        }
        return new PyTuple(tuple);
    }

    /// <summary>The keyword arguments as a new dict (<c>**kwargs</c>; empty when there are none).</summary>
    public PyDict KeywordsToDict()
    {
        var dict = PyDict.New(_py);
        var count = KeywordCount;
        for (var i = 0; i < count; i++)
        {
            var key = PyBound.Borrowed(_py, Containers.PyTuple_GetItem(new BorrowedRef(_kwnames), i).Pointer);
            dict.SetItem(key, PyBound.Borrowed(_py, _args[_positional + i]));
        }
        return dict;
    }

    /// <summary>Throws a <c>TypeError</c> unless exactly <paramref name="count"/> positional and no keyword arguments were passed.</summary>
    internal void Expect(int count, string function)
    {
        if (_positional != count || _kwnames != 0 && KeywordCount != 0)
        {
            throw PythonException.Raise("TypeError",
                $"{function}() takes {count} positional argument{(count == 1 ? "" : "s")} but {_positional} were given{(KeywordCount > 0 ? " (and keyword arguments, which it does not take)" : "")}");
        }
    }
}
