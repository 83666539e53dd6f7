namespace Sidewinder.Api.Tests;

/// <summary>The Python scripts the tests call through <c>POST /call</c>.</summary>
internal static class TestScripts
{
    public static string Create()
    {
        var directory = Directory.CreateTempSubdirectory("sidewinder-api-scripts-").FullName;
        File.WriteAllText(Path.Combine(directory, "mathx.py"), """
            import logging

            def add(a, b):
                return a + b

            def scale(values, factor=1):
                return [v * factor for v in values]

            def fail(message):
                raise ValueError(message)

            def chatty(name):
                print("hello from", name)
                logging.getLogger("mathx").warning("chatty called for %s", name)
                return len(name)
            """);
        return directory;
    }
}
