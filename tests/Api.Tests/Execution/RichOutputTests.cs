using System.Net;
using System.Text.Json;
using Sidewinder.Tests;

namespace Sidewinder.Api.Tests.Execution;

[Collection(ApiTests.Name)]
public sealed class RichOutputTests(DefaultApi api)
{
    private const string AllReprs = """
        class Rich:
            def _repr_png_(self): return b'\x89PNG-bytes'
            def _repr_jpeg_(self): return b'\xff\xd8jpeg'
            def _repr_svg_(self): return '<svg xmlns="http://www.w3.org/2000/svg"/>'
            def _repr_html_(self): return '<b>bold</b>'
            def _repr_markdown_(self): return '**bold**'
            def _repr_latex_(self): return r'$\alpha$'
            def _repr_json_(self): return {'k': [1, 2]}
            def __repr__(self): return 'Rich()'

        """;

    [Fact]
    public async Task Run_DisplayOfAnObjectWithEveryReprMethod_OneOutputWithEveryMimeType()
    {
        var body = await RunAsync(AllReprs + "display(Rich())");

        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("display", output.Str("type"));
        var data = output.GetProperty("data");
        Assert.Equal([0x89, .. "PNG-bytes"u8.ToArray()], Convert.FromBase64String(data.Str("image/png")));
        Assert.Equal(new byte[] { 0xff, 0xd8, (byte)'j', (byte)'p', (byte)'e', (byte)'g' }, Convert.FromBase64String(data.Str("image/jpeg")));
        Assert.Equal("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", data.Str("image/svg+xml"));
        Assert.Equal("<b>bold</b>", data.Str("text/html"));
        Assert.Equal("**bold**", data.Str("text/markdown"));
        Assert.Equal("$\\alpha$", data.Str("text/latex"));
        Assert.Equal("{\"k\":[1,2]}", data.GetProperty("application/json").GetRawText());
        Assert.Equal("Rich()", data.Str("text/plain"));
        Assert.False(body.GetProperty("outputsTruncated").GetBoolean());
    }

    [Fact]
    public async Task Run_ReprMimebundleWithMetadata_WinsOverTheSingleMethods()
    {
        var body = await RunAsync("""
            class Bundle:
                def _repr_mimebundle_(self, include=None, exclude=None):
                    return {'text/html': '<i>from bundle</i>', 'image/png': b'png'}, {'image/png': {'width': 10}}
                def _repr_html_(self): return '<i>from method</i>'
            from sidewinder import display as show
            show(Bundle())
            """);

        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("<i>from bundle</i>", output.GetProperty("data").Str("text/html"));
        Assert.Equal("cG5n", output.GetProperty("data").Str("image/png"));
        Assert.Equal(10, output.GetProperty("metadata").GetProperty("image/png").GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Run_ReprThatRaises_NoteInStderrAndTheJobSucceeds()
    {
        var body = await RunAsync("""
            class Broken:
                def _repr_html_(self): raise ValueError('no html today')
                def _repr_markdown_(self): return '*fine*'
            display(Broken())
            'after'
            """);

        Assert.Equal("ok", body.Str("outcome"));
        Assert.Equal("after", body.Str("value"));
        Assert.Contains("Broken._repr_html_() raised ValueError: no html today", body.Str("stderr"), StringComparison.Ordinal);
        var data = Assert.Single(body.GetProperty("outputs").EnumerateArray()).GetProperty("data");
        Assert.Equal("*fine*", data.Str("text/markdown"));
        Assert.False(data.TryGetProperty("text/html", out _));
    }

    [Fact]
    public async Task Run_FinalExpressionWithRichRepr_ExecuteResultBesidesTheValue()
    {
        var body = await RunAsync(AllReprs + "print('x')\nRich()");

        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("execute_result", output.Str("type"));
        Assert.Equal("<b>bold</b>", output.GetProperty("data").Str("text/html"));
        Assert.Equal("Rich", body.Str("valueType"));
    }

    [Fact]
    public async Task Run_PlainFinalValue_NoOutputs()
    {
        var body = await RunAsync("x = [1, 2]\nx");

        Assert.Empty(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("[1,2]", body.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task Run_OutputsPastTheRichOutputCap_DroppedFlaggedAndNoted()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:MaxRichOutputBytes"] = "3000" });
        var client = factory.CreateClient();

        var response = await client.PostJsonAsync("/run", new { code = "display({'image/png': b'\\0' * 1500}, raw=True)\n" +
            "display({'image/png': b'\\0' * 1500}, raw=True)\ndisplay({'text/plain': 'small'}, raw=True)" });
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["image/png", "text/plain"], body.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("data").EnumerateObject().Single().Name));
        Assert.True(body.GetProperty("outputsTruncated").GetBoolean());
        Assert.Contains("Workers:MaxRichOutputBytes", body.Str("stderr"), StringComparison.Ordinal);
        var limits = (await (await client.GetAsync("/info")).JsonAsync()).GetProperty("limits");
        Assert.Equal(3000, limits.GetProperty("maxRichOutputBytes").GetInt32());
        Assert.Equal(1024 * 1024, limits.GetProperty("streamBufferChars").GetInt32());
    }

    [Fact]
    public async Task Run_JobRemovesTheDisplayBuiltin_NextJobHasItAgain()
    {
        await RunAsync("import builtins, sys\ndel builtins.display\nsys.modules['sidewinder'] = None");

        var body = await RunAsync("from sidewinder import display as d\nd is display");

        Assert.True(body.GetProperty("value").GetBoolean());
    }

    [Fact]
    public async Task Run_Matplotlib_FiguresShownAtCellEndOrAtShowAndThenClosed()
    {
        const string code = """
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots()
            ax.plot([1, 2, 3], [1, 4, 9])
            plt.show()
            print('between')
            plt.figure()
            plt.plot([3, 2, 1])
            """;
        var response = await api.Factory.CreateClient().PostJsonAsync("/run", new { code });
        var body = await response.JsonAsync();
        if (RequestedRuntime.Name != "default")
        {
            // No matplotlib on the source-built runtimes: the import fails with a message that says so.
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("does not have it, so figures need the service's default runtime", body.Str("detail"), StringComparison.Ordinal);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = body.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(2, outputs.Count);
        foreach (var output in outputs)
        {
            var png = Convert.FromBase64String(output.GetProperty("data").Str("image/png"));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            Assert.StartsWith("<Figure size", output.GetProperty("data").Str("text/plain"), StringComparison.Ordinal);
        }
        Assert.Equal("between\n", body.Str("stdout"));
        Assert.Equal("list", body.Str("valueType")); // plt.plot's artists, as a notebook would show them

        var after = await RunAsync("import matplotlib.pyplot as plt\nlen(plt.get_fignums())");
        Assert.Equal(0, after.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task EvalAndFailingRun_FiguresAreClosedWithoutOutputs()
    {
        if (RequestedRuntime.Name != "default")
        {
            var missing = await api.Factory.CreateClient().PostJsonAsync("/eval", new { code = "__import__('numpy')" });
            Assert.Contains("No module named 'numpy': this runtime", (await missing.JsonAsync()).Str("detail"), StringComparison.Ordinal);
            return;
        }
        var client = api.Factory.CreateClient();
        var eval = await (await client.PostJsonAsync("/eval", new { code = "__import__('matplotlib.pyplot').pyplot.figure() is not None" })).JsonAsync();
        var failed = await client.PostJsonAsync("/run", new { code = "import matplotlib.pyplot as plt\nplt.plot([1])\nraise KeyError('k')" });
        var failedBody = await failed.JsonAsync();

        Assert.True(eval.GetProperty("value").GetBoolean());
        Assert.Empty(eval.GetProperty("outputs").EnumerateArray());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed.StatusCode);
        Assert.Single(failedBody.GetProperty("outputs").EnumerateArray()); // shown before the error, as in a notebook
        var after = await RunAsync("import matplotlib.pyplot as plt\nlen(plt.get_fignums())");
        Assert.Equal(0, after.GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task Run_BigFigureAgainstTheCap_DroppedAndFlagged()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Workers:MaxRichOutputBytes"] = "20000" });
        var client = factory.CreateClient();
        // Without matplotlib (3.13t) a big raw PNG stands in for the figure; the cap treats both alike.
        var code = RequestedRuntime.Name == "default"
            ? "import matplotlib.pyplot as plt\nplt.figure(figsize=(12, 9), dpi=150)\nplt.plot(range(1000), [i % 7 for i in range(1000)])"
            : "import os\ndisplay({'image/png': os.urandom(40000)}, raw=True)";

        var body = await (await client.PostJsonAsync("/run", new { code })).JsonAsync();

        Assert.Equal("ok", body.Str("outcome"));
        Assert.Empty(body.GetProperty("outputs").EnumerateArray());
        Assert.True(body.GetProperty("outputsTruncated").GetBoolean());
    }

    private async Task<JsonElement> RunAsync(string code)
    {
        var response = await api.Factory.CreateClient().PostJsonAsync("/run", new { code });
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }
}
