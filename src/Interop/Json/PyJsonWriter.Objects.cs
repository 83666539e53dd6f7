using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

// Objects outside the built-in types: library types found through JsonTypeCache, and the fallback.
internal sealed unsafe partial class PyJsonWriter
{
    // numpy.datetime64.item() gives a datetime, whose isoformat() gives a str: two hops. A bound on the
    // chain keeps a misbehaving item() or tolist() (say, one returning another numpy scalar) from looping.
    private const int MaxChainedConversions = 3;

    /// <summary>Known library types (datetime, Decimal, UUID, numpy, dataclasses), else the fallback object.</summary>
    /// <remarks><paramref name="chained"/> counts the conversions that produced <paramref name="obj"/> itself.</remarks>
    private void WriteOther(nint obj, nint type, int depth, int chained)
    {
        var kind = SpecialKind.None;
        var fields = default(PyBound);
        if (chained < MaxChainedConversions)
        {
            kind = _interpreter.JsonTypes.Classify(Py, type, ref _lookup, out fields);
        }
        using (fields)
        {
            using var target = PyBound.NewReference(Py, obj);
            switch (kind)
            {
                case SpecialKind.IsoFormat:
                    WriteConverted(target.CallMethod("isoformat"), depth, chained);
                    return;
                case SpecialKind.Str:
                    WriteConverted(Py.Own(Objects.PyObject_Str(target.Borrow())), depth, chained);
                    return;
                case SpecialKind.ToList:
                    WriteConverted(target.CallMethod("tolist"), depth, chained);
                    return;
                case SpecialKind.Item:
                    WriteConverted(target.CallMethod("item"), depth, chained);
                    return;
                case SpecialKind.Dataclass:
                    WriteDataclass(target, fields, depth);
                    return;
            }
        }
        WriteFallback(obj, type, depth);
    }

    private void WriteConverted(PyBound converted, int depth, int chained)
    {
        using (converted)
        {
            WriteValue(converted.Pointer, depth, chained + 1);
        }
    }

    /// <summary>A dataclass instance: an object of its fields (<c>dataclasses.fields</c>), in declaration order.</summary>
    private void WriteDataclass(PyBound instance, PyBound fieldsFunction, int depth)
    {
        Enter(instance.Pointer, depth);
        _writer.WriteStartObject();
        using var fields = fieldsFunction.Call(instance);
        // foreach disposes the iterator it runs on (a copy of the struct): a `using` on it as well released it twice,
        // which corrupted CPython 3.14's free lists (a crash at a later GC).
        foreach (var field in fields.Iterate())
        {
            using var name = field.GetAttr("name");
            _path.SetKey(depth, name.Pointer);
            if (!TryWriteStrKey(name.Pointer))
            {
                _writer.WritePropertyName(name.GetString()); // surrogates replaced; a non-str name raises TypeError
            }
            using var value = Py.Own(Objects.PyObject_GetAttr(instance.Borrow(), name.Borrow()));
            WriteValue(value.Pointer, depth + 1);
        }
        _writer.WriteEndObject();
        CheckSize(depth);
    }

    /// <summary><c>{"$type": "module.QualName", "$repr": "..."}</c> for anything without a JSON mapping.</summary>
    private void WriteFallback(nint obj, nint type, int depth)
    {
        CheckDepth(depth);
        var typeName = QualifiedTypeName(type);
        using var repr = Py.Own(Objects.PyObject_Repr(new BorrowedRef(obj)));
        var text = repr.GetString(); // surrogates already replaced
        var max = _options.MaxReprLength;
        if (text.Length > max)
        {
            var cut = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max; // never split a pair
            text = string.Concat(text.AsSpan(0, cut), "…");
        }
        Reserve(typeName.Length + text.Length + 24L, depth);
        _writer.WriteStartObject();
        _writer.WriteString("$type"u8, typeName);
        _writer.WriteString("$repr"u8, text);
        _writer.WriteEndObject();
        CheckSize(depth);
    }

    /// <summary><c>module.QualName</c> (just <c>QualName</c> for built-ins; <c>__main__</c> kept so <c>$type</c> says where the class came from); never throws.</summary>
    private static string QualifiedTypeName(nint type) => ExceptionBuilder.TypeName(type, keepMainModule: true);
}
