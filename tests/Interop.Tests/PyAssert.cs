namespace Sidewinder.Interop.Tests;

/// <summary>Assert.Throws for code that needs the token (a lambda cannot capture a ref struct).</summary>
internal static class PyAssert
{
    public static T Throws<T>(Python py, PythonAction action)
        where T : Exception
    {
        try
        {
            action(py);
        }
        catch (T expected)
        {
            return expected;
        }
        catch (Exception other)
        {
            throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {other.GetType().Name}: {other.Message}");
        }
        throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, but nothing was thrown.");
    }
}
