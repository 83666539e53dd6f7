using System.Numerics;
using System.Text;
using System.Text.Json;
using static Sidewinder.Interop.Tests.Json.JsonTestHelpers;

namespace Sidewinder.Interop.Tests.Json;

[Collection(PythonTests.Name)]
public sealed partial class PythonToJsonTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;
    [Theory]
    [InlineData("None", "null")]
    [InlineData("True", "true")]
    [InlineData("False", "false")]
    [InlineData("[True, 1, False, 0]", "[true,1,false,0]")]
    public void ToJson_Singletons_WritesLiterals(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        Assert.Equal(expected, ToJson(scope.Python, expression));
    }

    [Theory]
    [InlineData("''", "\"\"")]
    [InlineData("'plain'", "\"plain\"")]
    [InlineData("'ünïcödé 日本'", "\"ünïcödé 日本\"")]
    [InlineData("'snake 🐍'", "\"snake \\uD83D\\uDC0D\"")] // the relaxed encoder still escapes non-BMP characters
    [InlineData("'q\"b\\\\s\\n\\t\\x01'", "\"q\\\"b\\\\s\\n\\t\\u0001\"")]
    [InlineData("type('S', (str,), {})('sub')", "\"sub\"")]
    [InlineData("'nul\\x00inside'", "\"nul\\u0000inside\"")]
    public void ToJson_Str_WritesString(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval(expression);
        var json = value.ToJson();
        Assert.Equal(expected, json);
        Assert.True(LoadsEqual(py, json, value, sameType: false));
    }

    // Lone surrogates in str values and keys: LoneSurrogateTests.

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("2**63 - 1")]
    [InlineData("-2**63")]
    [InlineData("2**64")]
    [InlineData("-(2**64)")]
    [InlineData("2**127")]
    [InlineData("2**128 - 1")]
    [InlineData("-(2**128) + 1")]
    [InlineData("2**128")]
    [InlineData("2**200")]
    [InlineData("-(2**200) + 12345")]
    [InlineData("10**1000 - 1")]
    public void ToJson_Int_WritesExactDigits(string expression)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval(expression);
        var json = value.ToJson();
        Assert.Equal(value.Repr(), json);
        Assert.True(LoadsEqual(py, json, value));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void ToJson_IntBeyondDecimalDigitLimit_WritesExactDigits(int sign)
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval(sign < 0 ? "-(7 ** 10000)" : "7 ** 10000"); // 8,451 digits: over the 4,300-digit str() limit
        var expected = (sign * BigInteger.Pow(7, 10000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, value.ToJson());
        Assert.Equal(expected, Encoding.ASCII.GetString(value.ToJsonUtf8()));
    }

    [Fact]
    public void ToJson_IntEnumAndIntSubclass_WritesNumbersNotStrOverride()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, """
            import enum
            class Color(enum.IntEnum):
                RED = 1
            class Loud(int):
                def __str__(self): return 'loud'
                __repr__ = __str__
            result = [Color.RED, Loud(5), Loud(2**70), {Color.RED: 'r'}]
            """);
        Assert.Equal("[1,5,1180591620717411303424,{\"1\":\"r\"}]", value.ToJson());
    }

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("0.1", "0.1")]
    [InlineData("-0.0", "-0.0")]
    [InlineData("1.5e-7", "1.5E-07")]
    [InlineData("1e16", "10000000000000000.0")]
    [InlineData("1e22", "1E+22")]
    [InlineData("5e-324", "5E-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157E+308")]
    [InlineData("type('F', (float,), {})(2.5)", "2.5")]
    public void ToJson_Float_WritesShortestTextThatStaysAFloat(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval(expression);
        var json = value.ToJson();
        Assert.Equal(expected, json);
        using var asFloat = py.Eval("float(" + expression + ")");
        Assert.True(LoadsEqual(py, json, asFloat));
    }

    [Theory]
    [InlineData(NonFiniteFloatHandling.String, "[\"NaN\",\"Infinity\",\"-Infinity\"]")]
    [InlineData(NonFiniteFloatHandling.Null, "[null,null,null]")]
    public void ToJson_NonFiniteFloats_FollowOption(NonFiniteFloatHandling handling, string expected)
    {
        using var scope = _runtime.Attach();
        var options = new JsonConversionOptions { NonFiniteFloats = handling };
        Assert.Equal(expected, ToJson(scope.Python, "[float('nan'), float('inf'), -float('inf')]", options));
    }

    [Fact]
    public void ToJson_NonFiniteFloatsByDefault_WritesStrings()
    {
        using var scope = _runtime.Attach();
        Assert.Equal(NonFiniteFloatHandling.String, JsonConversionOptions.Default.NonFiniteFloats);
        Assert.Equal("{\"x\":\"NaN\"}", ToJson(scope.Python, "{'x': float('nan')}"));
    }

    [Fact]
    public void ToJson_NonFiniteFloatWithErrorOption_ThrowsWithPath()
    {
        using var scope = _runtime.Attach();
        var options = new JsonConversionOptions { NonFiniteFloats = NonFiniteFloatHandling.Error };
        var error = PyAssert.Throws<PythonJsonException>(scope.Python, p => ToJson(p, "{'items': [{'price': 1.0}, {'price': -float('inf')}]}", options));
        Assert.Equal(PythonJsonErrorKind.NonFiniteFloat, error.Kind);
        Assert.Equal("$.items[1].price", error.Path);
        Assert.Contains("-Infinity", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.items[1].price", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("b'hello'", "\"aGVsbG8=\"")]
    [InlineData("b''", "\"\"")]
    [InlineData("bytearray(b'\\x00\\xff\\x10')", "\"AP8Q\"")]
    [InlineData("[b'ab', bytearray(b'c')]", "[\"YWI=\",\"Yw==\"]")]
    public void ToJson_BytesAndByteArray_WritesBase64(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        Assert.Equal(expected, ToJson(scope.Python, expression));
    }

    [Theory]
    [InlineData("[]", "[]")]
    [InlineData("[1, 'a', [2, [3]]]", "[1,\"a\",[2,[3]]]")]
    [InlineData("(1, (2,), ())", "[1,[2],[]]")]
    [InlineData("{7}", "[7]")]
    [InlineData("frozenset()", "[]")]
    [InlineData("__import__('collections').namedtuple('P', 'x y')(1, 2)", "[1,2]")]
    [InlineData("type('L', (list,), {})([1, 2])", "[1,2]")]
    public void ToJson_Sequences_WritesArrays(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        Assert.Equal(expected, ToJson(scope.Python, expression));
    }

    [Fact]
    public void ToJson_SetAndFrozenSet_WritesEveryItem()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval("[{1, 2, 3}, frozenset({'a', 'b'})]");
        var json = value.ToJson();
        using var back = py.FromJson(Encoding.UTF8.GetBytes(json));
        Assert.True(Check(py, back, "set(v[0]) == {1, 2, 3} and len(v[0]) == 3 and sorted(v[1]) == ['a', 'b']"));
    }

    [Fact]
    public void ToJson_Dict_KeepsInsertionOrder()
    {
        using var scope = _runtime.Attach();
        Assert.Equal("{\"z\":1,\"a\":{\"y\":[]},\"m\":null}", ToJson(scope.Python, "{'z': 1, 'a': {'y': []}, 'm': None}"));
    }

    [Fact]
    public void ToJson_DictNonStringKeys_WritesJsonDumpsStyleKeys()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval("{10: 'i', 2**70: 'big', 2.5: 'f', 3.0: 'three', float('inf'): 'inf', True: 't', False: 'f2', None: 'n'}");
        var json = value.ToJson();
        Assert.Equal(
            "{\"10\":\"i\",\"1180591620717411303424\":\"big\",\"2.5\":\"f\",\"3.0\":\"three\",\"Infinity\":\"inf\",\"true\":\"t\",\"false\":\"f2\",\"null\":\"n\"}",
            json);
        Assert.Equal(Dumps(py, value), json);
    }

    [Fact]
    public void ToJson_DictOtherKeys_WritesStrOfKey()
    {
        using var scope = _runtime.Attach();
        Assert.Equal("{\"(1, 'a')\":1,\"frozenset({2})\":2}", ToJson(scope.Python, "{(1, 'a'): 1, frozenset({2}): 2}"));
    }

    [Fact]
    public void ToJson_OrderedDictAndDefaultDict_WritesObjectsInTheirOwnOrder()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, """
            import collections
            od = collections.OrderedDict(a=1, b=2, c=3)
            od.move_to_end('a')
            dd = collections.defaultdict(list)
            dd['x'].append(1)
            result = {'od': od, 'dd': dd}
            """);
        Assert.Equal("{\"od\":{\"b\":2,\"c\":3,\"a\":1},\"dd\":{\"x\":[1]}}", value.ToJson());
    }

    [Fact]
    public void WriteJson_IntoCallerWriter_ComposesWithSurroundingJson()
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval("{'é': [1, 'two', 3.5]}");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "ok");
            writer.WritePropertyName("result");
            value.WriteJson(writer);
            writer.WriteEndObject();
        }
        // The caller's writer keeps its own (default, ASCII-only) encoder.
        Assert.Equal("{\"status\":\"ok\",\"result\":{\"\\u00E9\":[1,\"two\",3.5]}}", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void ToJsonUtf8_BenchmarkShape_MatchesJsonDumps()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var value = py.Eval("[{'id': i, 'name': f'item-{i}', 'price': i * 1.5, 'tags': ['a', 'b'], 'active': True} for i in range(10000)]");
        var utf8 = value.ToJsonUtf8();
        using var dumps = py.Eval("lambda v: __import__('json').dumps(v, separators=(',', ':')).encode()");
        using var expected = dumps.Call(value);
        Assert.Equal(expected.GetBytes(), utf8);
    }
}
