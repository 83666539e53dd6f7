using System.Text;
using System.Text.Json;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Tests;

/// <summary>A Python str may hold surrogate code points (<c>'\ud800'</c>); every str that leaves Python through Interop
/// has each one replaced with U+FFFD, so strict consumers (System.Text.Json, UTF-8 encoders) always accept the text.</summary>
/// <remarks>The surrogates are written as Python escapes inside the source: a C# attribute argument cannot carry a lone
/// surrogate (attribute strings are stored as UTF-8, which replaces it at compile time).</remarks>
[Collection(PythonTests.Name)]
public sealed class LoneSurrogateTests(RuntimeFixture fixture)
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Theory]
    [InlineData("'\\ud800' + 'x'", "\uFFFDx")]
    [InlineData("'a\\udc80b'", "a\uFFFDb")]
    [InlineData("'\\ud83d\\udc0d'", "\uFFFD\uFFFD")] // two code points in Python, though UTF-16 would pair them
    [InlineData("'é\\ud800🐍'", "é\uFFFD🐍")]
    public void GetString_StrWithSurrogates_ReplacesEachWithReplacementCharacter(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval(expression);
        Assert.Equal(expected, value.GetString());
        Assert.True(Errors.PyErr_Occurred().IsNull, "a Python error was left set");
    }

    [Fact]
    public void StrAndRepr_OfObjectWithSurrogates_AreValidText()
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval("type('S', (), {'__str__': lambda s: 'x\\ud800', '__repr__': lambda s: '<\\udfff>'})()");
        Assert.Equal("x\uFFFD", value.Str());
        Assert.Equal("<\uFFFD>", value.Repr());
        Assert.Equal("x\uFFFD", value.ToString());
    }

    [Theory]
    [InlineData("'a\\ud800b'", "\"a\uFFFDb\"")]
    [InlineData("['\\udc80', {'k': ('\\ud800',)}]", "[\"\uFFFD\",{\"k\":[\"\uFFFD\"]}]")]
    [InlineData("{'a\\ud800': {'\\udc80b': '\\ud83d\\udc0d'}}", "{\"a\uFFFD\":{\"\uFFFDb\":\"\uFFFD\uFFFD\"}}")]
    [InlineData("type('S', (str,), {})('sub\\ud800')", "\"sub\uFFFD\"")]
    [InlineData("{type('S', (str,), {})('k\\ud800'): 1}", "{\"k\uFFFD\":1}")]
    public void ToJson_SurrogatesInValuesKeysAndNesting_BecomeReplacementCharacters(string expression, string expected)
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval(expression);
        var json = value.ToJson();
        Assert.Equal(expected, json);
        using var parsed = JsonDocument.Parse(value.ToJsonUtf8()); // strict: a lone surrogate escape would throw on GetString
        AssertStringsReadable(parsed.RootElement);
    }

    [Fact]
    public void WriteJson_StrWithSurrogate_DefaultEncoderOutputDeserializes()
    {
        using var scope = _runtime.Attach();
        using var value = scope.Python.Eval("{'msg': 'bad \\ud800 byte', 'repr': object.__new__(type('R', (), {'__repr__': lambda s: '\\udc80'}))}");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteJson(writer);
        }
        var result = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(buffer.WrittenSpan)!;
        Assert.Equal("bad \uFFFD byte", result["msg"].GetString());
        Assert.Equal("\uFFFD", result["repr"].GetProperty("$repr").GetString());
    }

    [Fact]
    public void Exception_WithSurrogatesInMessageAndTypeName_IsValidText()
    {
        var error = _runtime.Attach(py => PyAssert.Throws<PythonException>(py, p =>
        {
            // A class name must be UTF-8 encodable, but __qualname__ and __module__ may be any str.
            using var code = p.Compile(
                "E = type('E', (ValueError,), {})\nE.__qualname__ = 'Bad\\udc80Error'\nE.__module__ = 'm\\ud800'\n" +
                "raise E('oops \\ud800 here')\n", "<run>", CompileMode.Exec);
            using var globals = p.NewGlobals();
            p.Execute(code, globals);
        }));
        Assert.Equal("m\uFFFD.Bad\uFFFDError", error.PythonType);
        Assert.Equal("oops \uFFFD here", error.PythonMessage);
        _ = s_strictUtf8.GetBytes(error.Message);
        _ = s_strictUtf8.GetBytes(error.FormattedTraceback);
        Assert.True(_runtime.Attach(static _ => Errors.PyErr_Occurred().IsNull), "a Python error was left set");
    }

    private static void AssertStringsReadable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = s_strictUtf8.GetBytes(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    AssertStringsReadable(item);
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = s_strictUtf8.GetBytes(property.Name);
                    AssertStringsReadable(property.Value);
                }
                break;
        }
    }
}
