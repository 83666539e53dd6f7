namespace Sidewinder.Workers.Tests.Streaming;

public sealed class JobEventBufferTests
{
    [Fact]
    public void TryRead_ReaderBehind_AdjacentChunksOfOneStreamMerge()
    {
        var buffer = new JobEventBuffer();
        buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "a\n"));
        buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "b\n"));
        buffer.TryWrite(new JobEvent(JobEventKind.Stderr, "e\n"));
        buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "c\n"));

        var read = new List<JobEvent>();
        while (buffer.TryRead(out var item))
        {
            read.Add(item);
        }

        Assert.Equal([new(JobEventKind.Stdout, "a\nb\n"), new(JobEventKind.Stderr, "e\n"), new(JobEventKind.Stdout, "c\n")], read);
    }

    [Fact]
    public void TryWrite_PastTheBound_DropsAndCountsUntilTheReaderCatchesUp()
    {
        var buffer = new JobEventBuffer(maxBufferedChars: 10);

        Assert.True(buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "12345678")));
        Assert.False(buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "abc")));
        Assert.True(buffer.TryRead(out _));
        Assert.True(buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "abc")));

        Assert.Equal(1, buffer.DroppedEvents);
    }

    [Fact]
    public async Task WaitAsync_WriteAfterTheReaderWaits_CompletesTheWait()
    {
        var buffer = new JobEventBuffer();
        var wait = buffer.WaitAsync();
        Assert.False(wait.IsCompleted);

        buffer.TryWrite(new JobEvent(JobEventKind.Display, "{}"));

        await wait;
        Assert.True(buffer.TryRead(out var item));
        Assert.Equal(JobEventKind.Display, item.Kind);
    }

    [Fact]
    public async Task ReadAllAsync_Completed_DrainsWhatIsQueuedThenEnds()
    {
        var buffer = new JobEventBuffer();
        buffer.TryWrite(new JobEvent(JobEventKind.Log, "m") { Level = 30, Logger = "root" });
        buffer.Complete();

        Assert.False(buffer.TryWrite(new JobEvent(JobEventKind.Stdout, "late")));
        var all = new List<JobEvent>();
        await foreach (var item in buffer.ReadAllAsync())
        {
            all.Add(item);
        }

        Assert.Equal([new JobEvent(JobEventKind.Log, "m") { Level = 30, Logger = "root" }], all);
    }
}
