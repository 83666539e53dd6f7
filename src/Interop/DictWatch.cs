using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Tells, in constant time, whether a dict has changed since the last <see cref="Reset"/>: for a host that
/// must undo what a job did to a shared dict (<c>builtins</c>, <c>sys.modules</c>) without comparing it every time.</summary>
/// <remarks>
/// <para>
/// CPython 3.12+: a dictionary watcher (<c>PyDict_AddWatcher</c>, one per process) whose callback only sets a flag.
/// With <c>ignoreAdditions</c>, new keys do not count (imports add to <c>sys.modules</c>; that is not damage).
/// </para>
/// <para>
/// CPython 3.11 has no watchers. There the dict's version tag (<c>ma_version_tag</c>, which 3.11 bumps on every
/// change) is read from the object, the one place Interop reads an object field: only on 3.11, a GIL build, whose
/// <c>PyDictObject</c> layout is fixed (header, <c>ma_used</c>, then the tag at offset 24). It counts additions too,
/// so <see cref="Changed"/> may be true after an import; callers then compare, which is correct, only slower.
/// </para>
/// <para>A watcher id belongs to one interpreter (sub-interpreters register their own on first use); the set of watched
/// dicts is one small static registry for all of them; each entry keeps a strong reference to its dict until disposed.</para>
/// </remarks>
public sealed unsafe class DictWatch : IDisposable
{
    private const int VersionTagOffset311 = 24;
    private static readonly Lock s_gate = new();
    private static DictWatch[] s_watches = [];

    private readonly PyOwned _dict;
    private readonly PythonInterpreter _interpreter;
    private readonly nint _pointer;
    private readonly bool _ignoreAdditions;
    private readonly bool _useVersionTag;
    private ulong _version;
    private volatile bool _changed;

    private DictWatch(PyBound dict, bool ignoreAdditions)
    {
        _dict = dict.ToOwned();
        _interpreter = dict.Py.Interpreter;
        _pointer = dict.Pointer;
        _ignoreAdditions = ignoreAdditions;
        _useVersionTag = dict.Py.Info.Version < new Version(3, 12);
    }

    /// <summary>Starts watching <paramref name="dict"/> (which must be a <c>dict</c>).</summary>
    public static DictWatch Start(PyBound dict, bool ignoreAdditions = false)
    {
        if (dict.IsNull || Containers.PyDict_Size(dict.Borrow()) < 0)
        {
            dict.Py.ThrowIfError();
            throw new ArgumentException("DictWatch needs a dict.", nameof(dict));
        }
        var watch = new DictWatch(dict, ignoreAdditions);
        if (watch._useVersionTag)
        {
            watch._version = watch.ReadVersionTag();
            return watch;
        }
        lock (s_gate)
        {
            var interpreter = watch._interpreter;
            if (interpreter.DictWatcherId < 0)
            {
                interpreter.DictWatcherId = DictWatchers.PyDict_AddWatcher(&OnEvent);
                if (interpreter.DictWatcherId < 0)
                {
                    dict.Py.ThrowIfError();
                }
            }
            if (DictWatchers.PyDict_Watch(interpreter.DictWatcherId, dict.Borrow()) < 0)
            {
                dict.Py.ThrowIfError();
            }
            s_watches = [.. s_watches, watch];
        }
        return watch;
    }

    /// <summary>True when the dict may have changed since <see cref="Start"/> or the last <see cref="Reset"/>.</summary>
    public bool Changed(Python py)
    {
        _ = py;
        return _useVersionTag ? ReadVersionTag() != _version : _changed;
    }

    /// <summary>Takes the dict as it is now as the new baseline.</summary>
    public void Reset(Python py)
    {
        _ = py;
        if (_useVersionTag)
        {
            _version = ReadVersionTag();
        }
        else
        {
            _changed = false;
        }
    }

    private ulong ReadVersionTag() => Unsafe.ReadUnaligned<ulong>((void*)(_pointer + VersionTagOffset311));

    [UnmanagedCallersOnly]
    private static int OnEvent(int kind, nint dict, nint key, nint newValue)
    {
        if (kind == DictWatchers.EventDeallocated)
        {
            return 0;
        }
        foreach (var watch in Volatile.Read(ref s_watches))
        {
            if (watch._pointer == dict && !(kind == DictWatchers.EventAdded && watch._ignoreAdditions))
            {
                watch._changed = true;
            }
        }
        return 0;
    }

    /// <summary>Stops watching (while attached) and releases the dict.</summary>
    public void Dispose()
    {
        lock (s_gate)
        {
            if (Array.IndexOf(s_watches, this) >= 0)
            {
                s_watches = [.. s_watches.Where(w => w != this)];
                if (_interpreter.DictWatcherId >= 0 && _interpreter.IsAlive && _dict.IsAlive && !s_watches.Any(w => w._pointer == _pointer))
                {
                    _ = DictWatchers.PyDict_Unwatch(_interpreter.DictWatcherId, new BorrowedRef(_pointer));
                }
            }
        }
        _dict.Dispose();
    }
}
