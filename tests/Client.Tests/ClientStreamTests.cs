using Sidewinder.Tests;

namespace Sidewinder.Client.Tests;

[Collection(ApiTests.Name)]
public sealed class ClientStreamTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task StreamRunAsync_Cell_TypedEventsInOrderThenTheResult(Transport transport)
    {
        using var host = new ClientHost(transport);
        using var gate = new FileGate();
        var events = new List<ExecutionEvent>();
        var gateWasClosedAtFirstLine = false;

        await foreach (var item in host.Client.StreamRunAsync(new RunRequest(
            "import logging\nprint('first', flush=True)\n" + gate.WaitCode + "logging.warning('w')\n" +
            "display({'image/png': b'\\x89PNG', 'text/plain': 'img'}, raw=True)\n'end'")))
        {
            if (events.Count == 0)
            {
                gateWasClosedAtFirstLine = !gate.IsOpen; // the line arrived while the job waited
                gate.Open();
            }
            events.Add(item);
        }

        Assert.True(gateWasClosedAtFirstLine);
        Assert.Equal(new OutputEvent("stdout", "first\n"), events[0]);
        Assert.Equal(new LogEvent("WARNING", 30, "root", "w"), events[1]);
        var display = Assert.IsType<DisplayEvent>(events[2]).Output;
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], display.GetBytes("image/png"));
        Assert.Equal("img", display.GetText("text/plain"));
        var result = Assert.IsType<ResultEvent>(events[3]).Result;
        Assert.Equal("end", result.GetValue<string>());
        Assert.Equal("first\n", result.Stdout);
        Assert.Equal(display, result.Outputs.Single(), DisplayComparer.Instance);
        Assert.False(result.StreamTruncated);
        Assert.Equal(4, events.Count);
    }

    [Fact]
    public async Task StreamRunAsync_CodeRaisesAfterOutput_OutputThenTheTypedException()
    {
        using var host = new ClientHost(Transport.InProcess);
        var events = new List<ExecutionEvent>();

        var error = await Assert.ThrowsAsync<SidewinderPythonException>(async () =>
        {
            await foreach (var item in host.Client.StreamRunAsync(new RunRequest("print('partial')\n{}['missing']")))
            {
                events.Add(item);
            }
        });

        Assert.Equal([new OutputEvent("stdout", "partial\n")], events);
        Assert.Equal("KeyError", error.PythonType);
        Assert.Equal(422, error.Status);
        Assert.Equal("partial\n", error.Stdout);
    }

    [Fact]
    public async Task StreamRunAsync_InvalidRequest_ThrowsBeforeAnyEvent()
    {
        using var host = new ClientHost(Transport.InProcess);

        await Assert.ThrowsAsync<SidewinderInvalidRequestException>(async () =>
        {
            await foreach (var _ in host.Client.StreamRunAsync(new RunRequest(" ")))
            {
                Assert.Fail("no event expected");
            }
        });
    }

    [Fact]
    public async Task RunAsync_Display_OutputsInTheResult()
    {
        using var host = new ClientHost(Transport.InProcess);

        var result = await host.Client.RunAsync(new RunRequest("display({'text/html': '<p>hi</p>'}, raw=True)"));

        Assert.Equal("<p>hi</p>", Assert.Single(result.Outputs).GetText("text/html"));
        Assert.Null(result.StreamTruncated);
    }

    /// <summary>Outputs hold JSON elements, which compare by reference; compare their text.</summary>
    private sealed class DisplayComparer : IEqualityComparer<DisplayOutput>
    {
        public static readonly DisplayComparer Instance = new();

        public bool Equals(DisplayOutput? x, DisplayOutput? y) => x is not null && y is not null && x.Type == y.Type
            && x.Data.Count == y.Data.Count && x.Data.All(p => y.Data.TryGetValue(p.Key, out var v) && v.GetRawText() == p.Value.GetRawText());

        public int GetHashCode(DisplayOutput obj) => obj.Type.GetHashCode(StringComparison.Ordinal);
    }
}
