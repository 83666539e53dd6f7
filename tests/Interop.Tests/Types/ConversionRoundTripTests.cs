using System.Numerics;

namespace Sidewinder.Interop.Tests.Types;

/// <summary>A user type with its own conversions, the way a library user would write them.</summary>
public readonly record struct Point(int X, int Y) : IToPython<Point>, IFromPython<Point>
{
    public static PyBound ToPython(Python py, Point value) => py.ToPython((value.X, value.Y));

    public static Point FromPython(PyBound obj)
    {
        var (x, y) = obj.Extract<(int, int)>();
        return new Point(x, y);
    }
}

[Collection(PythonTests.Name)]
public sealed class ConversionRoundTripTests(RuntimeFixture fixture)
{
    private static readonly string[] s_xy = ["x", "y"];
    private static readonly int[] s_123 = [1, 2, 3];
    private readonly PythonRuntime _runtime = fixture.Runtime;

    private string Repr<T>(T value) => _runtime.Attach(py =>
    {
        using var obj = py.ToPython(value);
        return obj.Repr();
    });

    private T RoundTrip<T>(T value) => _runtime.Attach(py =>
    {
        using var obj = py.ToPython(value);
        return obj.Extract<T>();
    });

    private T FromExpression<T>(string expression) => _runtime.Attach(py =>
    {
        using var obj = py.Eval(expression);
        return obj.Extract<T>();
    });

    [Fact]
    public void Primitives_RoundTrip()
    {
        Assert.Equal(-5, RoundTrip(-5));
        Assert.Equal(long.MinValue, RoundTrip(long.MinValue));
        Assert.Equal(ulong.MaxValue, RoundTrip(ulong.MaxValue));
        Assert.Equal((byte)200, RoundTrip((byte)200));
        Assert.Equal(1.25f, RoundTrip(1.25f));
        Assert.Equal(double.NegativeInfinity, RoundTrip(double.NegativeInfinity));
        Assert.True(RoundTrip(true));
        Assert.Equal('é', RoundTrip('é'));
        Assert.Equal("text ✓", RoundTrip("text ✓"));
        Assert.Equal(BigInteger.Pow(3, 90), RoundTrip(BigInteger.Pow(3, 90)));
        Assert.Equal([1, 2, 0], RoundTrip(new byte[] { 1, 2, 0 }));
        Assert.Equal("b'\\x01'", Repr(new byte[] { 1 }));
    }

    [Fact]
    public void Integers_OutOfRangeOrFloat_AreRefused()
    {
        Assert.Throws<OverflowException>(() => FromExpression<byte>("256"));
        Assert.Throws<OverflowException>(() => FromExpression<int>("2**40"));
        Assert.Throws<OverflowException>(() => FromExpression<ulong>("-1"));
        var error = Assert.Throws<PythonException>(() => FromExpression<int>("1.5"));
        Assert.Equal("TypeError", error.PythonType);
        Assert.Equal(1, FromExpression<int>("True")); // bool is an int, as in Python
        Assert.Equal(2.0, FromExpression<double>("2")); // an int is accepted as a float
        Assert.Throws<InvalidCastException>(() => FromExpression<string>("1"));
        Assert.Throws<InvalidCastException>(() => FromExpression<bool>("1"));
    }

    [Fact]
    public void Collections_RoundTrip()
    {
        Assert.Equal("[1, 2, 3]", Repr(s_123));
        Assert.Equal("[1.5, -0.0]", Repr(new List<double> { 1.5, -0.0 }));
        Assert.Equal("['a', None]", Repr(new[] { "a", null }));
        Assert.Equal(s_xy, RoundTrip(new List<string>(s_xy)));
        var dict = new Dictionary<string, int[]> { ["a"] = [1], ["b"] = [] };
        Assert.Equal("{'a': [1], 'b': []}", Repr(dict));
        var back = RoundTrip(dict);
        Assert.Equal(dict.Keys, back.Keys);
        Assert.Equal([1], back["a"]);
        Assert.Equal("{3}", Repr(new HashSet<int> { 3 }));
        Assert.Equal("(1, 'a')", Repr((1, "a")));
        Assert.Equal((1, "a", 2.5, true), RoundTrip((1, "a", 2.5, true)));
        Assert.Equal("None", Repr<int?>(null));
        Assert.Equal(7, RoundTrip<int?>(7));
        Assert.Null(FromExpression<int?>("None"));
        Assert.Equal([1L, 2L], FromExpression<long[]>("(1, 2)"));
        Assert.Equal([0, 1, 2], FromExpression<int[]>("range(3)"));
        Assert.Equal(["a", "b"], FromExpression<IReadOnlyList<string>>("['a', 'b']"));
        Assert.Equal(2, FromExpression<IReadOnlyDictionary<int, string>>("{1: 'a', 2: 'b'}").Count);
    }

    [Fact]
    public void Sequences_FromStrOrWrongLengthTuple_AreRefused()
    {
        Assert.Throws<InvalidCastException>(() => FromExpression<List<string>>("'abc'"));
        Assert.Throws<InvalidCastException>(() => FromExpression<(int, int)>("(1, 2, 3)"));
        Assert.Throws<InvalidCastException>(() => FromExpression<(int, int)>("[1, 2]"));
    }

    [Fact]
    public void BulkPaths_MatchTheGenericPath()
    {
        var longs = Enumerable.Range(-500, 1000).Select(i => (long)i * 1_000_003).ToArray();
        var doubles = Enumerable.Range(0, 1000).Select(i => i / 7.0).ToArray();
        _runtime.Attach(py =>
        {
            using var list = py.List(longs);
            Assert.Equal(longs.Length, list.Count);
            Assert.Equal(longs, list.AsBound.ToInt64Array());
            using var sum = py.Eval("sum");
            using var total = sum.Call(list.AsBound);
            Assert.Equal(longs.Sum(), total.GetInt64());
            using var floats = py.List(doubles);
            Assert.Equal(doubles, floats.AsBound.ToDoubleArray());
            Assert.Equal(doubles, floats.ToArray<double>());
        });
    }

    [Fact]
    public void BulkRead_NonNumberItem_ThrowsTypeError()
    {
        var error = Assert.Throws<PythonException>(() => FromExpression<double[]>("[1.0, 'x']"));
        Assert.Equal("TypeError", error.PythonType);
    }

    [Fact]
    public void ClrTypes_MapToTheStandardLibraryTypes()
    {
        var naive = new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Unspecified).AddTicks(1234560);
        Assert.Equal("datetime.datetime(2024, 2, 29, 13, 14, 15, 123456)", Repr(naive));
        Assert.Equal(naive, RoundTrip(naive));
        var utc = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        Assert.Equal("datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)", Repr(utc));
        Assert.Equal(DateTimeKind.Utc, RoundTrip(utc).Kind);
        var offset = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        Assert.Equal(offset, RoundTrip(offset));
        Assert.Equal(new DateTime(2024, 1, 2, 1, 4, 5, DateTimeKind.Utc), FromExpression<DateTime>(
            "__import__('datetime').datetime(2024, 1, 2, 3, 4, 5, tzinfo=__import__('datetime').timezone(__import__('datetime').timedelta(hours=2)))"));
        Assert.Equal(new DateOnly(2020, 5, 6), RoundTrip(new DateOnly(2020, 5, 6)));
        Assert.Equal(new TimeOnly(23, 59, 58, 7), RoundTrip(new TimeOnly(23, 59, 58, 7)));
        Assert.Equal(TimeSpan.FromDays(-1.5), RoundTrip(TimeSpan.FromDays(-1.5)));
        Assert.Equal("datetime.timedelta(days=1, seconds=3600)", Repr(TimeSpan.FromHours(25)));
        Assert.Equal("Decimal('1.10')", Repr(1.10m));
        Assert.Equal(1.10m, RoundTrip(1.10m));
        Assert.Equal(12m, FromExpression<decimal>("12"));
        var guid = Guid.Parse("c0ffee00-1234-5678-9abc-def012345678");
        Assert.Equal("UUID('c0ffee00-1234-5678-9abc-def012345678')", Repr(guid));
        Assert.Equal(guid, RoundTrip(guid));
        Assert.Throws<InvalidCastException>(() => FromExpression<DateTime>("'2024-01-01'"));
    }

    [Fact]
    public void UserType_ImplementsBothInterfaces_ConvertsAlsoInsideCollections()
    {
        Assert.Equal("(1, 2)", Repr(new Point(1, 2)));
        Assert.Equal([new Point(1, 2), new Point(3, 4)], FromExpression<List<Point>>("[(1, 2), (3, 4)]"));
    }

    [Fact]
    public void TypeWithoutConversion_ThrowsNotSupported()
    {
        var error = Assert.Throws<NotSupportedException>(() => Repr(new object()));
        Assert.Contains("IToPython", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PyOwned_ConvertsAsTheObjectItself()
    {
        _runtime.Attach(py =>
        {
            using var obj = py.Eval("object()");
            using var owned = obj.ToOwned();
            using var list = py.ToPython(new[] { owned });
            using var first = list.Cast<PyList>()[0];
            Assert.True(first.Is(obj));
        });
    }
}
