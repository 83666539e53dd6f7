namespace Sidewinder.Interop.Tests.Json;

public sealed class JsonConversionOptionsTests
{
    [Fact]
    public void Default_HasDocumentedValues()
    {
        var options = JsonConversionOptions.Default;
        Assert.Equal(NonFiniteFloatHandling.String, options.NonFiniteFloats);
        Assert.Equal(128, options.MaxDepth);
        Assert.Equal(16 * 1024 * 1024, options.MaxOutputBytes);
        Assert.Equal(1000, options.MaxReprLength);
    }

    [Fact]
    public void Default_Set_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => JsonConversionOptions.Default.MaxDepth = 5);
        Assert.Throws<InvalidOperationException>(() => JsonConversionOptions.Default.NonFiniteFloats = NonFiniteFloatHandling.Null);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(JsonConversionOptions.MaxSupportedDepth + 1)]
    public void MaxDepth_OutOfRange_Throws(int depth)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonConversionOptions { MaxDepth = depth });
    }

    [Fact]
    public void Limits_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonConversionOptions { MaxOutputBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonConversionOptions { MaxReprLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonConversionOptions { NonFiniteFloats = (NonFiniteFloatHandling)42 });
    }

    [Fact]
    public void NewInstance_IsIndependentOfDefault()
    {
        var options = new JsonConversionOptions { MaxDepth = 7, MaxReprLength = 0 };
        Assert.Equal(7, options.MaxDepth);
        Assert.Equal(0, options.MaxReprLength);
        Assert.Equal(128, JsonConversionOptions.Default.MaxDepth);
    }
}
