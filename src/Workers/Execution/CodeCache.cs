using System.Collections.Concurrent;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>Compiled code of recently seen sources of one kind (eval expressions), shared by the pool's workers, so a
/// repeated expression (a formula evaluated with different variables) skips the compiler.</summary>
/// <remarks>
/// Code objects are immutable and each job still runs in fresh globals, so sharing them changes nothing a job can
/// see. Bounded: sources longer than <see cref="MaxSourceChars"/> are not kept, and when <see cref="Capacity"/>
/// entries are reached the cache starts over. Dropped entries are not disposed here (a worker may be using one):
/// their finalizers queue the decref.
/// </remarks>
internal sealed class CodeCache(string fileName, CompileMode mode)
{
    public const int Capacity = 256;
    public const int MaxSourceChars = 4096;

    private readonly ConcurrentDictionary<string, PyCode> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The compiled code of <paramref name="source"/>; <paramref name="owned"/> tells the caller to dispose it
    /// (it was not cached).</summary>
    /// <exception cref="PythonException">The source does not compile (nothing is cached).</exception>
    public PyCode Get(Python py, string source, out bool owned)
    {
        if (_entries.TryGetValue(source, out var cached))
        {
            owned = false;
            return cached;
        }
        var code = py.Compile(source, fileName, mode);
        if (source.Length > MaxSourceChars)
        {
            owned = true;
            return code;
        }
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
        owned = !_entries.TryAdd(source, code); // another worker may have added the same source meanwhile
        return code;
    }
}
