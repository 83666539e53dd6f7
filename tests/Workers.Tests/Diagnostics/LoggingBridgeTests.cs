using Microsoft.Extensions.Logging;

namespace Sidewinder.Workers.Tests.Diagnostics;

[Collection(PythonTests.Name)]
public sealed class LoggingBridgeTests(PoolFixture fixture)
{
    [Fact]
    public async Task SubmitAsync_PythonLogging_ReachesDotNetLogsWithJobId()
    {
        var result = await fixture.Pool.SubmitAsync(new RunJob("import logging\nlogging.getLogger('app.pricing').warning('price %s is odd', 42)") { Id = "job-log-1" });

        Assert.Equal(JobOutcome.Ok, result.Outcome);
        var entry = Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("price 42 is odd", StringComparison.Ordinal));
        Assert.Equal("Sidewinder.Workers.Python", entry.Category);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("job-log-1", entry.Message, StringComparison.Ordinal);
        Assert.Contains("app.pricing", entry.Message, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr); // forwarded, not printed
    }

    [Fact]
    public async Task SubmitAsync_ParallelJobsLogging_EachRecordCarriesItsOwnJobId()
    {
        // On 3.13t the jobs log truly in parallel, through one handler that takes no lock.
        await using var pool = fixture.CreatePool(o => o.WorkerCount = 4);
        var marker = "parallel-record-" + Guid.NewGuid().ToString("N");

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => pool.SubmitAsync(new RunJob(
            $"import logging\nlog = logging.getLogger('parallel')\nfor _ in range(20):\n    log.warning('{marker} {i} of job-par-{i}')")
        {
            Id = $"job-par-{i}",
        })));

        Assert.All(results, r => Assert.Equal(JobOutcome.Ok, r.Outcome));
        var entries = fixture.Logs.Entries.Where(e => e.Message.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(40 * 20, entries.Count);
        Assert.All(entries, e =>
        {
            var job = e.Message[(e.Message.IndexOf(" of ", StringComparison.Ordinal) + 4)..].Split(' ', '\n')[0];
            Assert.Contains("job " + job, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SubmitAsync_PythonLoggingException_ForwardsTraceback()
    {
        await fixture.Pool.SubmitAsync(new RunJob("import logging\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    logging.exception('failed to divide')") { Id = "job-log-2" });

        var entry = Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("failed to divide", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("ZeroDivisionError", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_PythonLevels_FollowTheDotNetLevel()
    {
        // The fixture's logger factory enables Debug, so the Python root logger is at DEBUG: NOTSET-level records are
        // below it, debug records are forwarded.
        await fixture.Pool.SubmitAsync(new RunJob(
            "import logging\nlog = logging.getLogger('levels')\nlog.log(5, 'sidewinder-level5-marker')\nlog.debug('sidewinder-debug-marker')"));

        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains("sidewinder-level5-marker", StringComparison.Ordinal));
        var entry = Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("sidewinder-debug-marker", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Debug, entry.Level);
    }

    [Fact]
    public async Task SubmitAsync_MoreRecordsThanLimit_ForwardsLimitAndReportsDropped()
    {
        await using var pool = fixture.CreatePool(o => o.MaxLogRecordsPerJob = 1);

        await pool.SubmitAsync(new RunJob("import logging\nfor i in range(3):\n    logging.warning('capped-record-%d', i)") { Id = "job-log-capped" });

        Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("capped-record-0", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains("capped-record-1", StringComparison.Ordinal));
        Assert.Contains(fixture.Logs.Entries, e => e.Message.Contains("job-log-capped emitted 2 more", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubmitAsync_RecordFromThreadWhoseJobEnded_IsForwardedWithoutJobId()
    {
        await using var pool = fixture.CreatePool(_ => { });
        const string first = """
            import logging, threading
            shared = __import__('sys').modules.setdefault('sidewinder_test_shared', __import__('types').ModuleType('sidewinder_test_shared'))
            shared.sidewinder_test_log_go = threading.Event()
            def late():
                shared.sidewinder_test_log_go.wait(10)
                logging.warning("orphan-record-marker")
            shared.sidewinder_test_log_thread = threading.Thread(target=late)
            shared.sidewinder_test_log_thread.start()
            """;
        const string second = """
            shared = __import__('sys').modules.setdefault('sidewinder_test_shared', __import__('types').ModuleType('sidewinder_test_shared'))
            shared.sidewinder_test_log_go.set()
            shared.sidewinder_test_log_thread.join()
            del shared.sidewinder_test_log_go, shared.sidewinder_test_log_thread
            """;

        await pool.SubmitAsync(new RunJob(first) { Id = "job-log-orphan-1" });
        // The record is emitted during the second job by a thread the first job started; it belongs to neither.
        await pool.SubmitAsync(new RunJob(second) { Id = "job-log-orphan-2" });

        var entry = Assert.Single(fixture.Logs.Entries, e => e.Message.Contains("orphan-record-marker", StringComparison.Ordinal));
        Assert.DoesNotContain("job-log-orphan", entry.Message, StringComparison.Ordinal);
    }
}
