using Sidewinder.Workers.Sessions;

namespace Sidewinder.Workers.Tests.Sessions;

public sealed class SessionFilesTests
{
    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\x")]
    [InlineData("C:x")]
    [InlineData("bad\0name")]
    [InlineData("line\nbreak")]
    [InlineData("./x")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("")]
    [InlineData("%2e%2e/x")]
    [InlineData("%2E%2E%2Fx")]
    [InlineData("a%5Cb")]
    [InlineData("a%00b")]
    [InlineData("%2Fetc")]
    public void CheckPath_TraversalOrBadCharacters_IsRefused(string path)
    {
        Assert.NotNull(SessionFiles.CheckPath(path));
    }

    [Theory]
    [InlineData("data.csv")]
    [InlineData("dir/sub/data.csv")]
    [InlineData("..hidden")]
    [InlineData("a..b/c")]
    [InlineData("名前.txt")]
    public void CheckPath_PlainRelativePath_IsAllowed(string path)
    {
        Assert.Null(SessionFiles.CheckPath(path));
    }
}
