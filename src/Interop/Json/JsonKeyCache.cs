using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Json;

/// <summary>Reuses one Python str per distinct object key within a conversion, as <c>json.loads</c> does:
/// documents repeat the same few keys thousands of times, and a reused str has its hash cached.</summary>
/// <remarks>
/// Direct-mapped and per conversion. The cache owns one reference to each str and lends it out borrowed,
/// so a key still waiting for its value at an outer level must survive being evicted by an inner key
/// that lands in the same slot: evicted strs are parked and only released by <see cref="Dispose"/>.
/// </remarks>
internal sealed class JsonKeyCache : IDisposable
{
    private const int Slots = 256;
    private const int MaxKeyBytes = 64;

    // Allocated on the first key: converting a scalar or an array of scalars needs no cache.
    private byte[]?[]? _bytes;
    private NewRef[]? _strings;
    private List<NewRef>? _evicted;

    /// <summary>A cached (borrowed) str for these unescaped key bytes, or 0.</summary>
    public nint Find(ReadOnlySpan<byte> key, out int slot)
    {
        slot = -1;
        if (key.Length > MaxKeyBytes)
        {
            return 0;
        }
        var hash = new HashCode();
        hash.AddBytes(key);
        slot = hash.ToHashCode() & (Slots - 1);
        _bytes ??= new byte[]?[Slots];
        _strings ??= new NewRef[Slots];
        var cached = _bytes[slot];
        return cached is not null && key.SequenceEqual(cached) ? _strings[slot].Pointer : 0;
    }

    /// <summary>Takes over the reference to <paramref name="str"/> and returns it borrowed.</summary>
    public nint Add(int slot, ReadOnlySpan<byte> key, NewRef str)
    {
        // Find gave out the slot, so the arrays exist.
        if (!_strings![slot].IsNull)
        {
            (_evicted ??= []).Add(_strings[slot]);
        }
        _bytes![slot] = key.ToArray();
        _strings[slot] = str;
        return str.Pointer;
    }

    /// <summary>Releases every str the cache owns (the thread must be attached); the cache's one release point.</summary>
    public void Dispose()
    {
        if (_strings is not null)
        {
            foreach (var str in _strings)
            {
                str.Release();
            }
            Array.Clear(_strings);
        }
        if (_evicted is not null)
        {
            foreach (var str in _evicted)
            {
                str.Release();
            }
            _evicted = null;
        }
    }
}
