using System.Net;
using System.Net.Http.Headers;

namespace Sidewinder.Api.Tests.Sessions;

[Collection(ApiTests.Name)]
public sealed class SessionFileTests(DefaultApi api)
{
    private readonly HttpClient _client = api.Factory.CreateClient();

    private static ByteArrayContent Bytes(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task UploadedCsv_IsReadableFromSessionCode_ListedAndDownloadable()
    {
        var id = await _client.CreateSessionAsync();

        var created = await _client.PutAsync($"/sessions/{id}/files/data/prices.csv", Bytes("name,price\napple,2\npear,3\n"));
        var total = await _client.RunOkAsync(id, "import csv\nwith open(SESSION_DIR / 'data' / 'prices.csv') as f:\n    rows = list(csv.DictReader(f))\nsum(int(r['price']) for r in rows)");
        var listed = await (await _client.GetAsync($"/sessions/{id}/files")).JsonAsync();
        var download = await _client.GetAsync($"/sessions/{id}/files/data/prices.csv");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(5, total.GetProperty("value").GetInt32());
        var file = Assert.Single(listed.GetProperty("files").EnumerateArray());
        Assert.Equal("data/prices.csv", file.Str("path"));
        Assert.Equal(26, file.GetProperty("size").GetInt64());
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("name,price\napple,2\npear,3\n", await download.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FileWrittenBySessionCode_IsDownloadable_AndDeleteRemovesIt()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "(SESSION_DIR / 'out.txt').write_text('from python')");

        var download = await _client.GetStringAsync($"/sessions/{id}/files/out.txt");
        var deleted = await _client.DeleteAsync($"/sessions/{id}/files/out.txt");
        var again = await _client.GetAsync($"/sessions/{id}/files/out.txt");

        Assert.Equal("from python", download);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.False((await _client.EvalValueAsync(id, "(SESSION_DIR / 'out.txt').exists()")).GetBoolean());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")] // what curl --data-binary sends unless told otherwise
    [InlineData("text/csv")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json")]
    public async Task Upload_WithAnyContentType_StoresTheBodyAsIs(string contentType)
    {
        var id = await _client.CreateSessionAsync();
        var body = Bytes("a=1&b=2");
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var created = await _client.PutAsync($"/sessions/{id}/files/upload.txt", body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("a=1&b=2", await _client.GetStringAsync($"/sessions/{id}/files/upload.txt"));
    }

    [Theory]
    [InlineData("\u2713 r\u00e9sum\u00e9.txt", "%E2%9C%93%20r%C3%A9sum%C3%A9.txt")]
    [InlineData("dir/a b#c?.txt", "dir/a%20b%23c%3F.txt")]
    public async Task Upload_OfANameOutsideAscii_Is201WithAnEscapedLocation(string name, string escaped)
    {
        var id = await _client.CreateSessionAsync();

        var created = await _client.PutAsync($"/sessions/{id}/files/{escaped}", Bytes("x"));
        var listed = await (await _client.GetAsync($"/sessions/{id}/files")).JsonAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(name, (await created.JsonAsync()).Str("path"));
        Assert.Equal($"/sessions/{id}/files/{escaped}", created.Headers.Location?.OriginalString);
        Assert.Equal(name, Assert.Single(listed.GetProperty("files").EnumerateArray()).Str("path"));
        Assert.Equal("x", await _client.GetStringAsync(created.Headers.Location));
    }

    [Fact]
    public async Task Upload_UnderAPathThatIsAFile_Is400AndNamesIt()
    {
        var id = await _client.CreateSessionAsync();
        await _client.PutAsync($"/sessions/{id}/files/data", Bytes("a file"));

        var under = await _client.PutAsync($"/sessions/{id}/files/data/sub/more.csv", Bytes("x"));

        Assert.Equal(HttpStatusCode.BadRequest, under.StatusCode);
        var problem = await under.JsonAsync();
        Assert.Equal("urn:sidewinder:problem:invalid-request", problem.Str("type"));
        Assert.Contains("'data' is a file", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("a file", await _client.GetStringAsync($"/sessions/{id}/files/data"));
    }

    [Fact]
    public async Task Download_OfAFifoSessionCodeMade_IsRefusedAtOnce()
    {
        var id = await _client.CreateSessionAsync();
        var pipe = (await _client.EvalValueAsync(id, "__import__('os').mkfifo(SESSION_DIR / 'pipe') or str(SESSION_DIR / 'pipe')")).GetString()!;

        var request = Task.Run(() => _client.GetAsync($"/sessions/{id}/files/pipe"));
        if (await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(30))) != request)
        {
            await using (File.OpenWrite(pipe)) // a writer lets the blocked open return, so the test host can end
            {
            }
            Assert.Fail("The download waited in open() for a writer to the FIFO.");
        }
        var download = await request;

        Assert.Equal(HttpStatusCode.BadRequest, download.StatusCode);
        Assert.Contains("not a regular file", (await download.JsonAsync()).Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileNameThatIsNotUtf8_HidesNoOtherFile_AndItsDirectoryAndSessionAreRemoved()
    {
        var id = await _client.CreateSessionAsync();
        await _client.PutAsync($"/sessions/{id}/files/ok.txt", Bytes("12345"));
        var directory = (await _client.EvalValueAsync(id, "str(SESSION_DIR)")).GetString()!;
        await _client.RunOkAsync(id, "import os\nos.mkdir(SESSION_DIR / 'sub')\nos.mkdir(SESSION_DIR / 'gone')\n" +
            "for d in ('sub', 'gone'):\n    (SESSION_DIR / d / 'bad\\udcff.txt').write_bytes(b'x')");

        var listed = await (await _client.GetAsync($"/sessions/{id}/files")).JsonAsync();
        var removed = await _client.DeleteAsync($"/sessions/{id}/files/sub");
        var deleted = await _client.DeleteAsync($"/sessions/{id}");
        await Wait.UntilAsync(() => !Directory.Exists(directory), "the session's directory to be removed");

        Assert.Equal("ok.txt", Assert.Single(listed.GetProperty("files").EnumerateArray()).Str("path"));
        Assert.Equal(5, listed.GetProperty("totalBytes").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task MissingFile_Is404FileNotFound_NotSessionNotFound()
    {
        var id = await _client.CreateSessionAsync();

        var download = await _client.GetAsync($"/sessions/{id}/files/nope.txt");
        var delete = await _client.DeleteAsync($"/sessions/{id}/files/nope.txt");
        var noSession = await _client.GetAsync("/sessions/no-such-session/files/nope.txt");

        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Equal("urn:sidewinder:problem:file-not-found", (await download.JsonAsync()).Str("type"));
        Assert.Contains("nope.txt", (await download.JsonAsync()).Str("detail"), StringComparison.Ordinal);
        Assert.Equal("urn:sidewinder:problem:file-not-found", (await delete.JsonAsync()).Str("type"));
        Assert.Equal("urn:sidewinder:problem:session-not-found", (await noSession.JsonAsync()).Str("type"));
    }

    [Fact]
    public async Task NothingAfterFiles_Is400EmptyPath_AndRemovesNothing()
    {
        var id = await _client.CreateSessionAsync();
        await _client.PutAsync($"/sessions/{id}/files/keep.txt", Bytes("kept"));

        var upload = await _client.PutAsync($"/sessions/{id}/files/", Bytes("x"));
        var delete = await _client.DeleteAsync($"/sessions/{id}/files/");

        foreach (var response in new[] { upload, delete })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("The file path must not be empty.", (await response.JsonAsync()).Str("detail"));
        }
        Assert.Equal("kept", await _client.GetStringAsync($"/sessions/{id}/files/keep.txt"));
    }

    [Fact]
    public async Task Upload_OverExistingFile_Returns200AndReplacesIt()
    {
        var id = await _client.CreateSessionAsync();
        await _client.PutAsync($"/sessions/{id}/files/a.txt", Bytes("one"));

        var replaced = await _client.PutAsync($"/sessions/{id}/files/a.txt", Bytes("two"));

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("two", await _client.GetStringAsync($"/sessions/{id}/files/a.txt"));
    }

    [Theory]
    [InlineData("..%2F..%2Fescape.txt")]
    [InlineData("%2E%2E%2Fescape.txt")]
    [InlineData("a/%252e%252e/%252e%252e/escape.txt")]
    [InlineData("a%5C..%5Cescape.txt")]
    [InlineData("bad%01name.txt")]
    [InlineData("bad%2500name.txt")]
    [InlineData("%2Fetc%2Fescape.txt")]
    [InlineData("a//b.txt")]
    public async Task Upload_TraversingPath_Returns400AndWritesNothing(string path)
    {
        var id = await _client.CreateSessionAsync();
        var root = Path.GetDirectoryName((await _client.RunOkAsync(id, "str(SESSION_DIR)")).GetProperty("value").GetString())!;
        var before = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Length;

        var response = await _client.PutAsync($"/sessions/{id}/files/{path}", Bytes("x"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:sidewinder:problem:invalid-request", (await response.JsonAsync()).Str("type"));
        Assert.Equal(before, Directory.GetFiles(root, "*", SearchOption.AllDirectories).Length);
        Assert.Empty((await (await _client.GetAsync($"/sessions/{id}/files")).JsonAsync()).GetProperty("files").EnumerateArray());
    }

    [Fact]
    public async Task SymbolicLinkOutOfTheDirectory_IsRefusedForDownloadAndUpload()
    {
        var id = await _client.CreateSessionAsync();
        var outside = Path.Combine(Path.GetTempPath(), "sidewinder-outside-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
        try
        {
            await _client.RunOkAsync(id, $"import os\nos.symlink({System.Text.Json.JsonSerializer.Serialize(outside)}, SESSION_DIR / 'out')");

            var download = await _client.GetAsync($"/sessions/{id}/files/out/secret.txt");
            var upload = await _client.PutAsync($"/sessions/{id}/files/out/planted.txt", Bytes("x"));

            Assert.Equal(HttpStatusCode.BadRequest, download.StatusCode);
            Assert.Contains("symbolic link", (await download.JsonAsync()).Str("detail"), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
            Assert.False(File.Exists(Path.Combine(outside, "planted.txt")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task SymbolicLinkInsideTheDirectory_IsFollowed()
    {
        var id = await _client.CreateSessionAsync();
        await _client.RunOkAsync(id, "import os\n(SESSION_DIR / 'real.txt').write_text('inside')\nos.symlink(SESSION_DIR / 'real.txt', SESSION_DIR / 'alias.txt')");

        Assert.Equal("inside", await _client.GetStringAsync($"/sessions/{id}/files/alias.txt"));
    }

    [Fact]
    public async Task Upload_LargerThanUploadLimit_Returns413AndWritesNothing()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Sessions:MaxUploadBytes"] = "1024" });
        var client = factory.CreateClient();
        var id = await client.CreateSessionAsync();

        var declared = await client.PutAsync($"/sessions/{id}/files/big.bin", new ByteArrayContent(new byte[2048]));
        var streamed = new StreamContent(new MemoryStream(new byte[4096]));
        streamed.Headers.ContentLength = null; // chunked: the limit applies while it streams in
        var chunked = await client.PutAsync($"/sessions/{id}/files/big2.bin", streamed);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("Sessions:MaxUploadBytes", (await declared.JsonAsync()).Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Empty((await (await client.GetAsync($"/sessions/{id}/files")).JsonAsync()).GetProperty("files").EnumerateArray());
    }

    [Fact]
    public async Task Upload_LargerThanServiceBodyLimit_IsAllowedUpToTheUploadLimit()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "2048" });
        var client = factory.CreateClient();
        var id = await client.CreateSessionAsync();

        var response = await client.PutAsync($"/sessions/{id}/files/big.bin", new ByteArrayContent(new byte[8192]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Upload_PastSessionTotal_Returns413AndKeepsEarlierFiles()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Sessions:MaxFilesBytes"] = "1500" });
        var client = factory.CreateClient();
        var id = await client.CreateSessionAsync();

        var first = await client.PutAsync($"/sessions/{id}/files/a.bin", new ByteArrayContent(new byte[1000]));
        var second = await client.PutAsync($"/sessions/{id}/files/b.bin", new ByteArrayContent(new byte[1000]));
        var replace = await client.PutAsync($"/sessions/{id}/files/a.bin", new ByteArrayContent(new byte[1400]));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, second.StatusCode);
        Assert.Contains("Sessions:MaxFilesBytes", (await second.JsonAsync()).Str("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode); // replacing counts the new size, not both
        var files = (await (await client.GetAsync($"/sessions/{id}/files")).JsonAsync()).GetProperty("files");
        Assert.Equal("a.bin", Assert.Single(files.EnumerateArray()).Str("path"));
    }

    [Fact]
    public async Task RelativePath_InSessionCode_IsNotTheSessionDirectory()
    {
        var id = await _client.CreateSessionAsync();
        await _client.PutAsync($"/sessions/{id}/files/only-here.txt", Bytes("x"));

        Assert.False((await _client.EvalValueAsync(id, "__import__('os').path.exists('only-here.txt')")).GetBoolean());
        Assert.True((await _client.EvalValueAsync(id, "(SESSION_DIR / 'only-here.txt').exists()")).GetBoolean());
    }
}
