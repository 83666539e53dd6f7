namespace Sidewinder.Workers.Tests.Execution;

[Collection(PythonTests.Name)]
public sealed class OutputCaptureTests(PoolFixture fixture)
{
    [Fact]
    public async Task SubmitAsync_ManyParallelJobsPrinting_EachGetsOnlyItsOwnOutput()
    {
        const string code = """
            import sys, time
            for k in range(200):
                print(f"job-{marker}-{k}")
                if k % 40 == 0:
                    print(f"err-{marker}-{k}", file=sys.stderr)
                    time.sleep(0.001)
            """;
        var jobs = Enumerable.Range(0, 32)
            .Select(i => fixture.Pool.SubmitAsync(new RunJob(code) { Variables = Json.Variables(("marker", i.ToString(System.Globalization.CultureInfo.InvariantCulture))) }))
            .ToArray();
        var results = await Task.WhenAll(jobs);

        for (var i = 0; i < results.Length; i++)
        {
            var lines = results[i].Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(200, lines.Length);
            Assert.All(lines, line => Assert.StartsWith($"job-{i}-", line, StringComparison.Ordinal));
            var errors = results[i].Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(5, errors.Length);
            Assert.All(errors, line => Assert.StartsWith($"err-{i}-", line, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task SubmitAsync_OutputOverLimit_IsTruncatedAndFlagged()
    {
        var result = await fixture.Pool.SubmitAsync(new RunJob("for _ in range(1000):\n    print('x' * 99)\n'done'"));

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.True(result.StdoutTruncated);
        Assert.False(result.StderrTruncated);
        Assert.Equal(fixture.Pool.Options.MaxOutputChars, result.Stdout.Length);
        Assert.Equal("done", result.Value!.Value.GetString());
    }

    [Fact]
    public async Task SubmitAsync_OutputUnderLimit_IsNotFlagged()
    {
        var result = await fixture.Pool.SubmitAsync(new RunJob("print('small')"));

        Assert.False(result.StdoutTruncated);
        Assert.Equal("small\n", result.Stdout);
    }

    [Fact]
    public async Task SubmitAsync_JobRedirectsOrClosesStdout_NextJobStillCaptured()
    {
        await fixture.Pool.SubmitAsync(new RunJob("import sys, io\nsys.stdout.close()\nsys.stdout = io.StringIO()"));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.Pool.SubmitAsync(new RunJob("print('still here')"))));

        Assert.All(results, r => Assert.Equal("still here\n", r.Stdout));
    }

    [Fact]
    public async Task SubmitAsync_BytesWrittenToStdout_IsTypeError()
    {
        var result = await fixture.Pool.SubmitAsync(new RunJob("import sys\nsys.stdout.write(b'raw')"));

        Assert.Equal("TypeError", result.Error!.Type);
    }

    [Fact]
    public async Task SubmitAsync_ThreadsStartedByJob_WriteIntoTheJob()
    {
        const string code = """
            import logging, sys, threading
            def inner():
                print("nested thread")
            def work():
                print("worker thread")
                print("worker stderr", file=sys.stderr)
                logging.warning("thread-record-marker")
                nested = threading.Thread(target=inner)
                nested.start()
                nested.join()
            thread = threading.Thread(target=work)
            thread.start()
            thread.join()
            print("job thread")
            """;

        var result = await fixture.Pool.SubmitAsync(new RunJob(code) { Id = "job-thread-output" });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        Assert.Equal("worker thread\nnested thread\njob thread\n", result.Stdout);
        Assert.Equal("worker stderr\n", result.Stderr);
        var record = Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("thread-record-marker", StringComparison.Ordinal));
        Assert.Contains("job-thread-output", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_ThreadOutlivesItsJob_LaterOutputNeverReachesTheNextJob()
    {
        await using var pool = fixture.CreatePool(_ => { });
        const string first = """
            import threading
            shared = __import__('sys').modules.setdefault('sidewinder_test_shared', __import__('types').ModuleType('sidewinder_test_shared'))
            shared.sidewinder_test_go = threading.Event()
            def late():
                shared.sidewinder_test_go.wait(10)
                print("late output")
            shared.sidewinder_test_thread = threading.Thread(target=late)
            shared.sidewinder_test_thread.start()
            print("first job")
            """;
        const string second = """
            shared = __import__('sys').modules.setdefault('sidewinder_test_shared', __import__('types').ModuleType('sidewinder_test_shared'))
            shared.sidewinder_test_go.set()
            shared.sidewinder_test_thread.join()
            del shared.sidewinder_test_go, shared.sidewinder_test_thread
            print("second job")
            """;

        var firstResult = await pool.SubmitAsync(new RunJob(first));
        var secondResult = await pool.SubmitAsync(new RunJob(second)); // same worker: the pool has one

        Assert.Equal("first job\n", firstResult.Stdout);
        Assert.Equal(JobOutcome.Ok, secondResult.Outcome);
        Assert.Equal("second job\n", secondResult.Stdout);
    }
}
