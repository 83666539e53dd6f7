namespace Sidewinder.Interop.Tests;

[Collection(PythonTests.Name)]
public sealed class SmokeTests(RuntimeFixture fixture)
{
    [Fact]
    public void Eval_Sum_ReturnsValue()
    {
        using var scope = fixture.Runtime.Attach();
        using var result = scope.Python.Eval("sum(range(10))");
        Assert.Equal(45, result.GetInt64());
    }
}
