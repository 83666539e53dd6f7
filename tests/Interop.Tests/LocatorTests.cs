namespace Sidewinder.Interop.Tests;

public sealed class LocatorTests
{
    [Fact]
    public void Locate_UnknownRuntime_SaysWhatWasSearchedAndHowToFix()
    {
        var options = new PythonRuntimeOptions { Runtime = "3.99t", CacheDirectory = Path.Combine(Path.GetTempPath(), "sidewinder-empty-cache") };
        var error = Assert.Throws<PythonNotFoundException>(() => PythonLocator.Locate(options));
        Assert.Contains("provision-python.sh 3.99t", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Searched, s => s.Contains("runtimes/3.99t.env", StringComparison.Ordinal));
        Assert.Contains(error.Searched, s => s.Contains("python3.99t", StringComparison.Ordinal));
        Assert.Contains(error.Searched, s => s.StartsWith("standard directory", StringComparison.Ordinal));
    }

    [Fact]
    public void Locate_InvalidName_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => PythonLocator.Locate(new PythonRuntimeOptions { Runtime = "banana" }));
        Assert.Contains("3.13t", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_MissingExplicitLibrary_Throws()
    {
        var error = Assert.Throws<PythonNotFoundException>(() => PythonLocator.Locate(new PythonRuntimeOptions { LibraryPath = "/nonexistent/libpython3.11.so" }));
        Assert.Contains("/nonexistent/libpython3.11.so", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_ManifestInCache_WinsAndIsReported()
    {
        var cache = Directory.CreateTempSubdirectory("sidewinder-cache").FullName;
        try
        {
            var fakeLibrary = Path.Combine(cache, "libpython3.12.so.1.0");
            File.WriteAllText(fakeLibrary, "");
            Directory.CreateDirectory(Path.Combine(cache, "runtimes"));
            File.WriteAllText(Path.Combine(cache, "runtimes", "3.12.env"), $"name=3.12\nlibrary={fakeLibrary}\nhome=/opt/py312\nexecutable=/opt/py312/bin/python3.12\n");
            File.WriteAllText(Path.Combine(cache, "runtimes", "default.env"),
                $"name=3.14t\nlibrary={fakeLibrary}\nhome=/opt/py314t\nexecutable=/opt/py314t/bin/python3.14t\nsource=Debian sid python3.14 3.14.10\nbuild_seconds=400\n");
            var found = PythonLocator.Locate(new PythonRuntimeOptions { Runtime = "3.12", CacheDirectory = cache });
            var byDefault = PythonLocator.Locate(new PythonRuntimeOptions { Runtime = "gil", CacheDirectory = cache });
            Assert.Equal(fakeLibrary, found.LibraryPath);
            Assert.Equal("/opt/py312", found.Home);
            Assert.Equal("3.12", found.Name);
            Assert.StartsWith("provisioned cache", found.Source, StringComparison.Ordinal);
            Assert.Equal("3.12", found.Manifest);
            Assert.Null(found.Origin);
            Assert.Equal("default", byDefault.Manifest);
            Assert.Equal("3.14t", byDefault.Name);
            Assert.Equal("Debian sid python3.14 3.14.10", byDefault.Origin);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "/usr", "3.11")]
    [InlineData("/opt/cache/python/3.13t/lib/libpython3.13t.so.1.0", "/opt/cache/python/3.13t", "3.13t")]
    [InlineData("/opt/cache/python/3.14/lib/libpython3.14.so.1.0", "/opt/cache/python/3.14", "3.14")]
    [InlineData("/opt/cache/python/3.14t/lib/libpython3.14t.so.1.0", "/opt/cache/python/3.14t", "3.14t")]
    public void HomeFromLibrary_DerivesPrefix(string library, string home, string name)
    {
        Assert.Equal(home, PythonLocator.HomeFromLibrary(library));
        Assert.Equal(name, PythonLocator.NameFromLibrary(library));
    }
}
