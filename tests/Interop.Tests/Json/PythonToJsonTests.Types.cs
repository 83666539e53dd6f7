using System.Text.Json;
using static Sidewinder.Interop.Tests.Json.JsonTestHelpers;

namespace Sidewinder.Interop.Tests.Json;

public sealed partial class PythonToJsonTests
{
    [Fact]
    public void ToJson_DateTimeTypes_WritesIsoFormat()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, """
            import datetime as dt
            result = [dt.date(2024, 1, 2), dt.time(12, 30, 5), dt.datetime(2024, 1, 2, 3, 4, 5, 6),
                      dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.timezone.utc)]
            """);
        Assert.Equal("[\"2024-01-02\",\"12:30:05\",\"2024-01-02T03:04:05.000006\",\"2024-01-02T03:04:00+00:00\"]", value.ToJson());
    }

    [Fact]
    public void ToJson_DecimalAndUuid_WritesStr()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, """
            import decimal, uuid
            result = {'price': decimal.Decimal('1.10'), 'nan': decimal.Decimal('NaN'),
                      'id': uuid.UUID('12345678-1234-5678-1234-567812345678')}
            """);
        Assert.Equal("{\"price\":\"1.10\",\"nan\":\"NaN\",\"id\":\"12345678-1234-5678-1234-567812345678\"}", value.ToJson());
    }

    [Fact]
    public void ToJson_Dataclass_WritesObjectOfFields()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, """
            import dataclasses, typing
            @dataclasses.dataclass
            class Point:
                x: int
                y: float = 0.5
                label: str = dataclasses.field(default='p', repr=False)
                kind: typing.ClassVar[str] = 'not a field'
            @dataclasses.dataclass(frozen=True)
            class Segment:
                start: Point
                end: Point
            result = [Segment(Point(1), Point(2, 3.0, 'q')), Point]
            """);
        var json = value.ToJson();
        Assert.StartsWith(
            "[{\"start\":{\"x\":1,\"y\":0.5,\"label\":\"p\"},\"end\":{\"x\":2,\"y\":3.0,\"label\":\"q\"}},{\"$type\":\"type\",\"$repr\":\"<class '",
            json, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Numpy_ConvertsArraysAndScalarsOrIsAbsentOnSourceBuilds()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        if (py.Info.Version.Minor != 11)
        {
            // Only Debian's 3.11 has numpy (python3-numpy); the runtimes built from source (3.13, 3.13t, 3.14, 3.14t) have none.
            var error = PyAssert.Throws<PythonException>(py, p => p.Import("numpy").Dispose());
            Assert.Equal("ModuleNotFoundError", error.PythonType);
            return;
        }
        using var value = Exec(py, """
            import numpy as np
            result = {'matrix': np.array([[1, 2], [3, 4]]), 'floats': np.array([0.5, np.nan]),
                      'f64': np.float64(1.5), 'i32': np.int32(-7), 'b': np.bool_(True), 'zero_d': np.array(9),
                      'objects': np.array([np.array([1]), 'x'], dtype=object),
                      'day': np.datetime64('2024-01-02'), 'stamps': np.array(['2024-01-02T03:04:05'], dtype='datetime64[s]')}
            """);
        Assert.Equal(
            "{\"matrix\":[[1,2],[3,4]],\"floats\":[0.5,\"NaN\"],\"f64\":1.5,\"i32\":-7,\"b\":true,\"zero_d\":9,\"objects\":[[1],\"x\"]," +
            "\"day\":\"2024-01-02\",\"stamps\":[\"2024-01-02T03:04:05\"]}",
            value.ToJson());
    }

    [Fact]
    public void ToJson_UnsupportedObject_WritesTypeAndRepr()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, """
            class Widget:
                def __repr__(self): return 'Widget("w" <1>)'
            result = [Widget(), 1j]
            """, "result");
        Assert.Equal("[{\"$type\":\"__main__.Widget\",\"$repr\":\"Widget(\\\"w\\\" <1>)\"},{\"$type\":\"complex\",\"$repr\":\"1j\"}]", value.ToJson());
    }

    [Fact]
    public void ToJson_LongRepr_IsCutToMaxReprLength()
    {
        using var scope = _runtime.Attach();
        using var value = Exec(scope.Python, "class Big:\n    def __repr__(self): return 'x' * 5000\nresult = Big()");
        using var document = JsonDocument.Parse(value.ToJson(new JsonConversionOptions { MaxReprLength = 10 }));
        Assert.Equal("xxxxxxxxxx…", document.RootElement.GetProperty("$repr").GetString());
        using var full = JsonDocument.Parse(value.ToJson());
        Assert.Equal(1000 + 1, full.RootElement.GetProperty("$repr").GetString()!.Length);
    }

    [Fact]
    public void ToJson_ConvertsWithoutImportingAnything()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var before = py.Eval("set(__import__('sys').modules)");
        using var value = Exec(py, "class Thing: pass\nresult = [Thing(), object(), 1j, {1, 2}]");
        _ = value.ToJson();
        Assert.True(Check(py, before, "set(__import__('sys').modules) == v"));
    }
}
