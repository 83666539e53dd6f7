using System.Collections.Concurrent;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>Compiles <paramref name="source"/>; throws <see cref="PythonException"/> when it does not compile.</summary>
internal delegate T CodeBuilder<out T>(Python py, string source) where T : PyOwned;

/// <summary>Compiled code of recently seen sources of one kind (eval expressions, run cells), shared by the pool's
/// workers, so a repeated source (a formula evaluated with different variables) skips the compiler.</summary>
/// <remarks>
/// Code objects are immutable and each job still runs in fresh globals, so sharing them changes nothing a job can
/// see. Bounded: sources longer than <see cref="MaxSourceChars"/> are not kept, and when <see cref="Capacity"/>
/// entries are reached the cache starts over. Dropped entries are not disposed here (a worker may be using one):
/// their finalizers queue the decref.
/// </remarks>
internal sealed class CodeCache<T>(CodeBuilder<T> build) where T : PyOwned
{
    public const int Capacity = 256;
    public const int MaxSourceChars = 4096;

    private readonly ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The compiled code of <paramref name="source"/>; dispose the lease when done with it (that disposes the
    /// code only if it was not cached).</summary>
    /// <exception cref="PythonException">The source does not compile (nothing is cached).</exception>
    public Lease Get(Python py, string source)
    {
        if (_entries.TryGetValue(source, out var cached))
        {
            return new Lease(cached, owned: false);
        }
        var code = build(py, source);
        if (source.Length > MaxSourceChars)
        {
            return new Lease(code, owned: true);
        }
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
        // Another worker may have added the same source meanwhile: then this copy is the caller's to dispose.
        return new Lease(code, owned: !_entries.TryAdd(source, code));
    }

    /// <summary>Compiled code handed to one job.</summary>
    public readonly struct Lease(T code, bool owned) : IDisposable
    {
        public T Code => code;

        public void Dispose()
        {
            if (owned)
            {
                code.Dispose();
            }
        }
    }
}
