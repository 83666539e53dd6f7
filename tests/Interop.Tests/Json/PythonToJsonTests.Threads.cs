using System.Text.Json;
using static Sidewinder.Interop.Tests.Json.JsonTestHelpers;

namespace Sidewinder.Interop.Tests.Json;

public sealed partial class PythonToJsonTests
{
    [Fact]
    public void ToJson_ManyThreadsOverSharedDataWhileItMutates_StayConsistent()
    {
        PyOwned shared;
        string expected;
        using (var setup = _runtime.Attach())
        {
            using var both = Exec(setup.Python, """
                stable = {'rows': [{'id': i, 'name': 'r%d' % i, 'tags': ['a', 'b'], 'p': i / 3} for i in range(200)]}
                churn = {'list': [[0]], 'dict': {0: {'i': 0}}, 'set': {0}}
                def mutate(i):
                    churn['list'].append([i, {'i': i}])
                    churn['dict'][i] = {'i': [i]}
                    churn['set'].add(i)
                    if len(churn['list']) > 30:
                        del churn['list'][:10]
                        for k in list(churn['dict'])[:10]:
                            churn['dict'].pop(k, None)
                        churn['set'].clear()
                result = (stable, churn, mutate)
                """);
            using var stable = Item(setup.Python, both, 0);
            expected = stable.ToJson();
            shared = both.ToOwned();
        }
        using (shared)
        {
            var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var converting = 3;
            var mutator = new Thread(() => Mutate(shared, () => Volatile.Read(ref converting) > 0, failures), 16 * 1024 * 1024);
            var converters = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
            {
                try
                {
                    Convert(shared, expected, failures);
                }
                finally
                {
                    Interlocked.Decrement(ref converting);
                }
            }, 16 * 1024 * 1024)).ToList();
            mutator.Start();
            converters.ForEach(t => t.Start());
            converters.ForEach(t => t.Join());
            mutator.Join();
            Assert.Empty(failures);
        }
    }

    private void Mutate(PyOwned shared, Func<bool> keepGoing, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        try
        {
            for (var i = 1; keepGoing(); i++)
            {
                using var scope = _runtime.Attach();
                var py = scope.Python;
                using var both = shared.Bind(py);
                using var mutate = Item(py, both, 2);
                using var index = py.Int(i);
                mutate.Call(index).Dispose();
            }
        }
        catch (PythonException ex)
        {
            failures.Enqueue(ex.ToString());
        }
    }

    private void Convert(PyOwned shared, string expected, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var scope = _runtime.Attach();
                var py = scope.Python;
                using var both = shared.Bind(py);
                using var stable = Item(py, both, 0);
                if (stable.ToJson() != expected)
                {
                    failures.Enqueue("stable data converted differently");
                }
                using var churning = Item(py, both, 1);
                using var parsed = JsonDocument.Parse(churning.ToJsonUtf8());
                if (parsed.RootElement.GetProperty("list").ValueKind != JsonValueKind.Array)
                {
                    failures.Enqueue("churning data did not convert");
                }
            }
            catch (PythonException ex) when (ex.PythonType == "RuntimeError" && ex.PythonMessage.Contains("changed size", StringComparison.Ordinal))
            {
                // A set resized while it is being iterated raises this, exactly as iterating it in Python would.
            }
            catch (Exception ex) when (ex is PythonException or PythonJsonException or JsonException)
            {
                failures.Enqueue(ex.ToString());
            }
        }
    }
}
