using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sidewinder.Interop;

namespace Sidewinder.Benchmarks;

/// <summary>Python result to JSON: our direct Utf8JsonWriter conversion versus Python's own
/// <c>json.dumps</c> (C accelerated), on the same 10,000-element list of small dicts, in one process.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class JsonBenchmarks
{
    private PythonRuntime _runtime = null!;
    private PythonThreadState _threadState = null!;
    private PyOwned _data = null!;
    private PyOwned _dumps = null!;
    private PyOwned _loads = null!;
    private PyOwned _text = null!;
    private byte[] _json = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);

    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonRuntime.Start();
        _threadState = _runtime.CreateThreadState();
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var data = py.Eval(
            "[{'id': i, 'name': f'item-{i}', 'price': i * 1.5, 'tags': ['a', 'b'], 'active': i % 2 == 0} for i in range(10000)]");
        _data = data.ToOwned();
        using var json = py.Import("json");
        using var dumps = json.GetAttr("dumps");
        _dumps = dumps.ToOwned();
        using var loads = json.GetAttr("loads");
        _loads = loads.ToOwned();
        using var text = dumps.Call(data);
        _text = text.ToOwned();
        _json = data.ToJsonUtf8();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _data.Dispose();
        _dumps.Dispose();
        _loads.Dispose();
        _text.Dispose();
        _threadState.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true, Description = "json.dumps(list) -> str")]
    public long PythonJsonDumps()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var dumps = _dumps.Bind(py);
        using var data = _data.Bind(py);
        using var text = dumps.Call(data);
        return text.Length();
    }

    [Benchmark(Description = "PyBound.WriteJson(list) -> UTF-8")]
    public long SidewinderWriteJson()
    {
        using var scope = _runtime.Attach();
        using var data = _data.Bind(scope.Python);
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            data.WriteJson(writer);
        }
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "json.loads(str) -> list")]
    public long PythonJsonLoads()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var loads = _loads.Bind(py);
        using var text = _text.Bind(py);
        using var list = loads.Call(text);
        return list.Length();
    }

    [Benchmark(Description = "Python.FromJson(UTF-8) -> list")]
    public long SidewinderFromJson()
    {
        using var scope = _runtime.Attach();
        using var list = scope.Python.FromJson(_json);
        return list.Length();
    }
}
