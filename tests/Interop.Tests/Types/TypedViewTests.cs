namespace Sidewinder.Interop.Tests.Types;

[Collection(PythonTests.Name)]
public sealed class TypedViewTests(RuntimeFixture fixture)
{
    private static readonly string[] s_ab = ["a", "b"];
    private static readonly double[] s_halves = [1.5, 2.5];
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Theory]
    [InlineData("[1]", "list")]
    [InlineData("(1,)", "tuple")]
    [InlineData("{1: 2}", "dict")]
    [InlineData("'a'", "str")]
    [InlineData("7", "int")]
    [InlineData("True", "bool")]
    [InlineData("1.5", "float")]
    [InlineData("b'x'", "bytes")]
    [InlineData("{1}", "set")]
    [InlineData("__import__('sys')", "module")]
    [InlineData("int", "type")]
    [InlineData("iter([])", "iterator")]
    public void TryCast_MatchesExactlyTheViewsOfTheObjectsType(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval(expression);
        var matched = new List<string>();
        if (obj.TryCast<PyList>(out _)) { matched.Add("list"); }
        if (obj.TryCast<PyTuple>(out _)) { matched.Add("tuple"); }
        if (obj.TryCast<PyDict>(out _)) { matched.Add("dict"); }
        if (obj.TryCast<PyStr>(out _)) { matched.Add("str"); }
        if (obj.TryCast<PyInt>(out _) && !obj.IsInstanceOf<PyBool>()) { matched.Add("int"); }
        if (obj.TryCast<PyBool>(out _)) { matched.Add("bool"); }
        if (obj.TryCast<PyFloat>(out _)) { matched.Add("float"); }
        if (obj.TryCast<PyBytes>(out _)) { matched.Add("bytes"); }
        if (obj.TryCast<PySet>(out _)) { matched.Add("set"); }
        if (obj.TryCast<PyModule>(out _)) { matched.Add("module"); }
        if (obj.TryCast<PyType>(out _)) { matched.Add("type"); }
        if (obj.TryCast<PyIterator>(out _)) { matched.Add("iterator"); }
        Assert.Equal([expected], matched);
        // int is callable too (it is a type), everything else here is not, except the type.
        Assert.Equal(expected == "type", obj.IsInstanceOf<PyCallable>());
    }

    [Fact]
    public void TryCast_Subclass_Matches()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var ordered = py.Eval("__import__('collections').OrderedDict(a=1)");
        Assert.True(ordered.TryCast<PyDict>(out var dict));
        Assert.Equal(1, dict.Get<int>("a"));
        using var named = py.Eval("__import__('collections').namedtuple('P', 'x y')(1, 2)");
        Assert.Equal(2, named.Cast<PyTuple>().Get<int>(1));
    }

    [Fact]
    public void Cast_WrongType_ThrowsInvalidCastNamingBothTypes()
    {
        using var scope = _runtime.Attach();
        var error = PyAssert.Throws<InvalidCastException>(scope.Python, p =>
        {
            using var obj = p.Eval("{}");
            _ = obj.Cast<PyList>();
        });
        Assert.Equal("Expected list, got dict.", error.Message);
    }

    [Fact]
    public void PyList_IndexAppendSetContains_BehaveLikePython()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var list = PyList.New(py);
        list.Append(1);
        list.Append("two");
        list.Append(3.5);
        Assert.Equal(3, list.Count);
        Assert.Equal("two", list.Get<string>(1));
        list.Set(0, 10L);
        using var ten = py.Int(10);
        Assert.True(list.Contains(ten));
        using (var first = list[0])
        {
            Assert.Equal(10, first.GetInt64());
        }
        using var zero = py.Int(0);
        list.Insert(0, zero);
        Assert.Equal("[0, 10, 'two', 3.5]", list.ToString());
        var error = PyAssert.Throws<PythonException>(py, p =>
        {
            using var small = p.Eval("[1]");
            small.Cast<PyList>().GetItem(9).Dispose();
        });
        Assert.Equal("IndexError", error.PythonType);
    }

    [Fact]
    public void PyList_Enumerator_VisitsEachItemAndReleasesIt()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval("[object() for _ in range(3)]");
        using var getrefcount = py.Eval("__import__('sys').getrefcount");
        var list = obj.Cast<PyList>();
        using var firstItem = list[0];
        using var before = getrefcount.Call(firstItem);
        var seen = 0;
        foreach (var item in list)
        {
            Assert.Equal("object", item.TypeName);
            seen++;
        }
        using var after = getrefcount.Call(firstItem);
        Assert.Equal(3, seen);
        Assert.Equal(before.GetInt64(), after.GetInt64());
    }

    [Fact]
    public void PyTuple_GetAndEnumerate_ReadItemsWithoutNewReferences()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval("(1, 'a', 2.5)");
        var tuple = obj.Cast<PyTuple>();
        Assert.Equal(3, tuple.Count);
        Assert.Equal(1, tuple.Get<int>(0));
        Assert.Equal("a", tuple.Get<string>(1));
        var types = new List<string>();
        foreach (var item in tuple)
        {
            types.Add(item.TypeName);
        }
        Assert.Equal(["int", "str", "float"], types);
        using var slice = tuple.Slice(1, 3);
        Assert.Equal("('a', 2.5)", slice.ToString());
    }

    [Fact]
    public void PyDict_Methods_MatchPython()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var dict = PyDict.New(py);
        dict.Set("a", 1);
        dict.Set("b", s_halves);
        Assert.Equal(2, dict.Count);
        Assert.True(dict.ContainsKey("a"));
        Assert.False(dict.ContainsKey("zz"));
        Assert.Equal([1.5, 2.5], dict.Get<double[]>("b"));
        Assert.False(dict.TryGet<int>("missing", out _));
        Assert.Throws<KeyNotFoundException>(() => _runtime.Attach(p => { using var d = p.Eval("{}"); return d.Cast<PyDict>().Get<int>("k"); }));
        using var keys = dict.Keys();
        Assert.Equal(s_ab, keys.ToArray<string>());
        using var items = dict.Items();
        Assert.Equal("[('a', 1), ('b', [1.5, 2.5])]", items.ToString());
        using var a = py.Str("a");
        Assert.True(dict.Remove(a));
        Assert.False(dict.Remove(a));
        Assert.Equal(1, dict.Count);
    }

    [Fact]
    public void PyDict_Enumerator_YieldsEntriesInOrder()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval("{'x': 1, 'y': 2, 'z': 3}");
        var seen = new List<string>();
        foreach (var (key, value) in obj.Cast<PyDict>())
        {
            seen.Add(key.GetString() + "=" + value.GetInt64());
        }
        Assert.Equal(["x=1", "y=2", "z=3"], seen);
    }

    [Fact]
    public void PyDict_Enumerator_DictGrowsDuringIteration_Throws()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        var error = PyAssert.Throws<InvalidOperationException>(py, p =>
        {
            using var obj = p.Eval("{'x': 1, 'y': 2}");
            var dict = obj.Cast<PyDict>();
            foreach (var entry in dict)
            {
                dict.Set("new" + entry.Key.GetString(), 0);
            }
        });
        Assert.Contains("changed size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scalars_ReadTheirValues()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var s = py.Eval("'héllo'");
        Assert.Equal("héllo", s.Cast<PyStr>().Value);
        Assert.Equal(5, s.Cast<PyStr>().Length);
        using var big = py.Eval("2**100");
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 100), big.Cast<PyInt>().ToBigInteger());
        using var f = py.Eval("0.25");
        Assert.Equal(0.25, f.Cast<PyFloat>().Value);
        using var t = py.Eval("1 == 1");
        Assert.True(t.Cast<PyBool>().Value);
        using var b = py.Eval("b'\\x00\\xff'");
        Assert.Equal([0, 255], b.Cast<PyBytes>().AsSpan().ToArray());
    }

    [Fact]
    public void PySetModuleTypeCallable_Methods()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var set = PySet.New(py);
        using var one = py.Int(1);
        set.Add(one);
        Assert.True(set.Contains(one));
        Assert.Equal(1, set.Count);
        var items = 0;
        foreach (var item in set)
        {
            Assert.Equal(1, item.GetInt64());
            items++;
        }
        Assert.Equal(1, items);
        Assert.True(set.Discard(one));
        Assert.Equal(0, set.Count);

        using var json = py.Import("json");
        var module = json.Cast<PyModule>();
        Assert.Equal("json", module.Name);
        using var ns = module.Dict;
        Assert.True(ns.ContainsKey("dumps"));

        using var boolType = py.Eval("bool");
        using var intType = py.Eval("int");
        Assert.True(boolType.Cast<PyType>().IsSubclassOf(intType.Cast<PyType>()));
        Assert.False(intType.Cast<PyType>().IsSubclassOf(boolType.Cast<PyType>()));
        using var ordered = py.Eval("__import__('collections').OrderedDict");
        Assert.Equal("collections.OrderedDict", ordered.Cast<PyType>().Name);

        using var len = py.Eval("len");
        using var text = py.Str("abc");
        using var length = len.Cast<PyCallable>().Call(text);
        Assert.Equal(3, length.GetInt64());
    }

    [Fact]
    public void PyCriticalSection_EnterAndDispose_AllowsNestedPythonWork()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval("[1, 2, 3]");
        using var four = py.Int(4);
        using (PyCriticalSection.Enter(obj))
        {
            obj.Append(four); // the section is re-entrant for C-level work on the same object
        }
        Assert.Equal(4, obj.Length());
    }
}
