namespace Sidewinder.Client.Tests;

[Collection(ApiTests.Name)]
public sealed class ClientResultTests
{
    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task EvalAsync_Expression_ReturnsTheTypedValue(Transport transport)
    {
        using var host = new ClientHost(transport);

        var result = await host.Client.EvalAsync(new EvalRequest("sum(x * x for x in values)")
        {
            Variables = new Dictionary<string, object?> { ["values"] = new[] { 1, 2, 3 } },
        });

        Assert.Equal(14, result.GetValue<int>());
        Assert.Equal("int", result.ValueType);
        Assert.Equal("ok", result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.JobId));
        Assert.NotNull(result.Timings);
    }

    [Theory]
    [InlineData(Transport.InProcess)]
    [InlineData(Transport.Socket)]
    public async Task RunAsync_Cell_ReturnsOutputValueAndVariables(Transport transport)
    {
        using var host = new ClientHost(transport);

        var result = await host.Client.RunAsync(new RunRequest("import sys\nnames = ['a', 'b']\nprint('hi')\nprint('warn', file=sys.stderr)\nlen(names)")
        {
            ReturnVariables = ["names"],
        });

        Assert.Equal("hi\n", result.Stdout);
        Assert.Equal("warn\n", result.Stderr);
        Assert.Equal(2, result.GetValue<int>());
        Assert.Equal(["a", "b"], result.GetVariable<string[]>("names")!);
        Assert.Throws<KeyNotFoundException>(() => result.GetVariable<int>("other"));
    }

    [Fact]
    public async Task CallAsync_ScriptFunction_ReturnsItsValue()
    {
        using var host = new ClientHost(Transport.InProcess);

        var result = await host.Client.CallAsync(new CallRequest("mathx", "scale")
        {
            Args = [new[] { 1.5, 2 }],
            Kwargs = new Dictionary<string, object?> { ["factor"] = 2 },
        });

        Assert.Equal([3.0, 4.0], result.GetValue<double[]>()!);
    }

    [Fact]
    public async Task RunAsync_EndsWithAStatement_HasNoValue()
    {
        using var host = new ClientHost(Transport.InProcess);

        var result = await host.Client.RunAsync(new RunRequest("x = 1"));

        Assert.Null(result.Value);
        Assert.Equal(0, result.GetValue<int>());
    }
}
