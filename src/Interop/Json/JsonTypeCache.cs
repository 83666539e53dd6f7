using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

/// <summary>How the writer turns an instance of a known non-built-in type into something it can write.</summary>
internal enum SpecialKind
{
    None,
    IsoFormat,
    Str,
    ToList,
    Item,
    Dataclass,
}

/// <summary>Types from optional standard-library and third-party modules that the JSON writer recognises,
/// looked up in <c>sys.modules</c> only (never imported), one cache per runtime.</summary>
/// <remarks>
/// <para>
/// If a module is not in <c>sys.modules</c>, no object can be an instance of its types, so the writer only
/// asks when it meets an object none of the built-in rules cover, and remembers a miss for the rest of that
/// conversion (<see cref="Lookup"/>). A module found with all of its attributes is cached for the life of the
/// runtime, holding strong references to the types (they live as long as the interpreter anyway).
/// </para>
/// <para>
/// Threads can resolve the same module concurrently (free-threaded builds): each builds an immutable
/// <see cref="ModuleTypes"/> and publishes it with a compare-exchange; the loser releases its references.
/// A module seen half-initialised (another thread is still importing it) counts as absent for that
/// conversion and is looked up again by the next one.
/// </para>
/// </remarks>
internal sealed unsafe class JsonTypeCache
{
    private const int DateTime = 0, Decimal = 1, Uuid = 2, Numpy = 3, Dataclasses = 4;

    // datetime.datetime subclasses datetime.date, so two types cover date, time and datetime.
    private static readonly (string Module, string[] Attributes, bool Types)[] s_specs =
    [
        ("datetime", ["date", "time"], true),
        ("decimal", ["Decimal"], true),
        ("uuid", ["UUID"], true),
        ("numpy", ["ndarray", "generic"], true),
        ("dataclasses", ["fields"], false),
    ];

    private readonly ModuleTypes?[] _modules = new ModuleTypes?[s_specs.Length];

    /// <summary>Per-conversion state: which modules were already found missing during this conversion.</summary>
    public struct Lookup
    {
        internal int Missing;
    }

    /// <summary>Classifies an object that none of the built-in rules matched, from its type (borrowed). For
    /// <see cref="SpecialKind.Dataclass"/>, <paramref name="dataclassFields"/> receives a new reference to
    /// <c>dataclasses.fields</c>; otherwise it is a null handle.</summary>
    public SpecialKind Classify(Python py, nint type, ref Lookup lookup, out PyBound dataclassFields)
    {
        dataclassFields = default;
        if (Matches(py, DateTime, type, ref lookup, out _))
        {
            return SpecialKind.IsoFormat;
        }
        if (Matches(py, Decimal, type, ref lookup, out _) || Matches(py, Uuid, type, ref lookup, out _))
        {
            return SpecialKind.Str;
        }
        if (Matches(py, Numpy, type, ref lookup, out var which))
        {
            return which == 0 ? SpecialKind.ToList : SpecialKind.Item;
        }
        var dataclasses = Get(py, Dataclasses, ref lookup);
        if (dataclasses is not null && !dataclasses.Values[0].IsNull)
        {
            fixed (byte* name = "__dataclass_fields__"u8)
            {
                // Looked up on the type, so a dataclass *class* passed as a value is not mistaken for an instance.
                if (Objects.PyObject_HasAttrString(new BorrowedRef(type), name) != 0)
                {
                    dataclassFields = PyBound.NewReference(py, dataclasses.Values[0].Pointer);
                    return SpecialKind.Dataclass;
                }
            }
        }
        return SpecialKind.None;
    }

    private bool Matches(Python py, int slot, nint type, ref Lookup lookup, out int which)
    {
        which = -1;
        var module = Get(py, slot, ref lookup);
        if (module is null)
        {
            return false;
        }
        for (var i = 0; i < module.Values.Length; i++)
        {
            var candidate = module.Values[i];
            if (!candidate.IsNull && Objects.PyType_IsSubtype(new BorrowedRef(type), candidate.Borrow()) != 0)
            {
                which = i;
                return true;
            }
        }
        return false;
    }

    private ModuleTypes? Get(Python py, int slot, ref Lookup lookup)
    {
        var cached = Volatile.Read(ref _modules[slot]);
        if (cached is not null || (lookup.Missing & (1 << slot)) != 0)
        {
            return cached;
        }
        var (moduleName, attributes, mustBeTypes) = s_specs[slot];
        using var module = py.ImportedModule(moduleName);
        if (module.IsNull)
        {
            lookup.Missing |= 1 << slot;
            return null;
        }
        var values = new NewRef[attributes.Length];
        var complete = true;
        for (var i = 0; i < attributes.Length; i++)
        {
            values[i] = Attribute(module, attributes[i], mustBeTypes);
            complete &= !values[i].IsNull;
        }
        var resolved = new ModuleTypes(values);
        if (!complete)
        {
            // Half-imported by another thread, or not the real module: treat it as absent for this
            // conversion and look again next time rather than caching a partial answer.
            resolved.Release();
            lookup.Missing |= 1 << slot;
            return null;
        }
        var winner = Interlocked.CompareExchange(ref _modules[slot], resolved, null);
        if (winner is not null)
        {
            resolved.Release();
            return winner;
        }
        return resolved;
    }

    /// <summary>A strong reference to the attribute for the cache, or null when it is missing (or not a type when one is needed).</summary>
    private static NewRef Attribute(PyBound module, string name, bool mustBeType)
    {
        using var value = module.GetAttrOrNull(name);
        if (value.IsNull)
        {
            return default;
        }
        if (mustBeType)
        {
            using var metatype = Objects.PyObject_Type(value.Borrow()).Own();
            if ((Objects.PyType_GetFlags(metatype.Borrow()) & Objects.Py_TPFLAGS_TYPE_SUBCLASS) == 0)
            {
                return default; // PyType_IsSubtype must only ever see real type objects
            }
        }
        var kept = value.Borrow().NewReference();
        return kept.Steal();
    }

    /// <summary>Strong references to a module's attributes (null where missing).</summary>
    /// <remarks>Once published in the cache they are never released (they live as long as the interpreter);
    /// <see cref="Release"/> is the one release point, for a lookup that lost the race or was incomplete.</remarks>
    private sealed class ModuleTypes(NewRef[] values)
    {
        public readonly NewRef[] Values = values;

        public void Release()
        {
            foreach (var value in Values)
            {
                value.Release();
            }
        }
    }
}
