using System.Numerics;

namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class ConversionTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Theory]
    [InlineData("")]
    [InlineData("plain ascii")]
    [InlineData("ünïcödé ✓ 日本語 🐍")]
    [InlineData("nul\0inside")]
    [InlineData("lone \ud800 high surrogate")]
    [InlineData("lone \udc80 low surrogate")]
    public void Str_RoundTripsThroughPython(string value)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var str = py.Str(value);
        Assert.Equal("str", str.TypeName);
        Assert.Equal(value, str.GetString());
        // Python counts code points: a surrogate pair is one, and so is a lone surrogate
        // (which EnumerateRunes reports as one U+FFFD).
        Assert.Equal(value.EnumerateRunes().Count(), str.Length());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Int_Int64_RoundTrips(long value)
    {
        using var scope = _runtime.Attach();
        using var i = scope.Python.Int(value);
        Assert.Equal(value, i.GetInt64());
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), i.Repr());
    }

    [Theory]
    [InlineData("18446744073709551616")] // 2**64
    [InlineData("-340282366920938463463374607431768211457")] // -(2**128) - 1
    [InlineData("1606938044258990275541962092341162602522202993782792835301376")] // 2**200
    public void Int_BigInteger_RoundTripsExactly(string digits)
    {
        var value = BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var i = py.Int(value);
        Assert.Equal(digits, i.Repr());
        Assert.Equal(value, i.GetBigInteger());
        Assert.Throws<OverflowException>(() => _runtime.Attach(p => { using var again = p.Int(value); return again.GetInt64(); }));
    }

    [Fact]
    public void Int_BeyondDecimalDigitLimit_ReadsExactly()
    {
        using var scope = _runtime.Attach();
        using var huge = scope.Python.Eval("7 ** 10000"); // 8,451 digits: over Python's 4,300-digit str() limit
        Assert.Equal(BigInteger.Pow(7, 10000), huge.GetBigInteger());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(1e300)]
    [InlineData(5e-324)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Float_RoundTrips(double value)
    {
        using var scope = _runtime.Attach();
        using var f = scope.Python.Float(value);
        Assert.Equal("float", f.TypeName);
        Assert.Equal(value, f.GetDouble());
    }

    [Fact]
    public void Bool_And_None_AreSingletons()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var t = py.Bool(true);
        using var f = py.Bool(false);
        using var evaluated = py.Eval("1 == 1");
        using var none = py.Eval("None");
        Assert.True(t.Is(evaluated));
        Assert.True(t.GetBoolean());
        Assert.False(f.GetBoolean());
        Assert.True(none.IsNone);
        Assert.Throws<InvalidCastException>(() => _runtime.Attach(p => { using var one = p.Int(1); return one.GetBoolean(); }));
    }

    [Fact]
    public void Bytes_RoundTrip()
    {
        byte[] data = [0, 1, 2, 255, 0x80];
        using var scope = _runtime.Attach();
        using var bytes = scope.Python.Bytes(data);
        Assert.Equal("bytes", bytes.TypeName);
        Assert.Equal(data, bytes.GetBytes());
        Assert.Equal("b'\\x00\\x01\\x02\\xff\\x80'", bytes.Repr());
    }

    [Fact]
    public void Containers_BuildAndRead()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var list = py.NewList();
        using (var one = py.Int(1)) { list.Append(one); }
        using (var two = py.Str("two")) { list.Append(two); }
        Assert.Equal("[1, 'two']", list.Repr());

        using var dict = py.NewDict();
        dict.SetItem("b", list);
        using (var a = py.Float(0.5)) { dict.SetItem("a", a); }
        Assert.Equal("{'b': [1, 'two'], 'a': 0.5}", dict.Repr());
        using var fetched = dict.DictGet("a");
        Assert.Equal(0.5, fetched.GetDouble());
        using var missing = dict.DictGet("zzz");
        Assert.True(missing.IsNull);

        using var tuple = py.ListToTuple(list);
        Assert.Equal("(1, 'two')", tuple.Repr());

        using var set = py.NewSet();
        using (var x = py.Int(3)) { set.Add(x); set.Add(x); }
        Assert.Equal(1, set.Length());
        using var frozen = py.NewFrozenSet(list);
        Assert.Equal("frozenset", frozen.TypeName);

        var items = new List<string>();
        foreach (var item in list.Iterate())
        {
            items.Add(item.Repr());
        }
        Assert.Equal(["1", "'two'"], items);
    }

    [Fact]
    public void Call_PositionalAndKeywordArguments()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var code = py.Compile("def f(a, b=2, *, c=3):\n    return (a, b, c)\n", "<f>", CompileMode.Exec);
        using var globals = py.NewGlobals();
        py.Execute(code, globals);
        using var f = globals.GetItem("f");

        using var one = py.Int(1);
        using var ten = py.Int(10);
        using var r1 = f.Call(one);
        Assert.Equal("(1, 2, 3)", r1.Repr());
        using var r2 = f.Call(one, ten);
        Assert.Equal("(1, 10, 3)", r2.Repr());

        using var args = py.Eval("[5]");
        using var kwargs = py.Eval("{'c': 30, 'b': 20}");
        using var r3 = f.CallWithKeywords(args, kwargs);
        Assert.Equal("(5, 20, 30)", r3.Repr());

        var error = PyAssert.Throws<PythonException>(py, p =>
        {
            using var fn = p.Eval("lambda a, b=2, *, c=3: None");
            using var a = p.Eval("(1,)");
            using var k = p.Eval("{'nope': 1}");
            fn.CallWithKeywords(a, k).Dispose();
        });
        Assert.Equal("TypeError", error.PythonType);
        Assert.Contains("nope", error.PythonMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Attributes_GetSetHas()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var obj = py.Eval("type('C', (), {'x': 1})()");
        Assert.True(obj.HasAttr("x"));
        Assert.False(obj.HasAttr("y"));
        using (var two = py.Int(2)) { obj.SetAttr("y", two); }
        using var y = obj.GetAttr("y");
        Assert.Equal(2, y.GetInt64());
        var error = PyAssert.Throws<PythonException>(py, p => { using var o = p.Eval("object()"); o.GetAttr("missing").Dispose(); });
        Assert.Equal("AttributeError", error.PythonType);
    }

    [Fact]
    public void Eval_CachedCodeObject_ReusedAcrossNamespaces()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var code = py.Compile("x * 2", "<expr>", CompileMode.Eval);
        for (var i = 0; i < 3; i++)
        {
            using var globals = py.NewGlobals();
            using (var x = py.Int(i)) { globals.SetItem("x", x); }
            using var result = py.Evaluate(code, globals);
            Assert.Equal(i * 2, result.GetInt64());
        }
    }
}
