using YamlDotNet.RepresentationModel;

namespace Sidewinder.Deploy.Tests;

/// <summary>Finds files in the repository and reads YAML into plain dictionaries, lists and strings.</summary>
internal static class Repository
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sidewinder.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (the folder with Sidewinder.slnx) was not found above " + AppContext.BaseDirectory);
    });

    public static string Root => s_root.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string ReadText(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every document of a YAML file, as <see cref="Dictionary{TKey,TValue}"/> (mappings),
    /// <see cref="List{T}"/> (sequences), <see cref="string"/> (scalars) or null.</summary>
    public static IReadOnlyList<object?> ReadYaml(string relative)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(ReadText(relative)))
        {
            stream.Load(reader);
        }
        return stream.Documents.Select(d => ToPlain(d.RootNode)).Where(d => d is not null).ToList();
    }

    private static object? ToPlain(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? "",
            pair => ToPlain(pair.Value),
            StringComparer.Ordinal),
        YamlSequenceNode sequence => sequence.Children.Select(ToPlain).ToList(),
        YamlScalarNode scalar => scalar.Value is null || (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "" or "~" or "null")
            ? null
            : scalar.Value,
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType} at {node.Start}"),
    };
}

/// <summary>Navigation over the plain YAML objects with failures that name the path.</summary>
internal static class Node
{
    public static Dictionary<string, object?> Map(object? node, string path) =>
        node as Dictionary<string, object?> ?? throw new Xunit.Sdk.XunitException($"{path} is not a mapping (is {Describe(node)})");

    public static List<object?> List(object? node, string path) =>
        node as List<object?> ?? throw new Xunit.Sdk.XunitException($"{path} is not a sequence (is {Describe(node)})");

    public static string Text(object? node, string path) =>
        node as string ?? throw new Xunit.Sdk.XunitException($"{path} is not a scalar (is {Describe(node)})");

    /// <summary>Follows dot-separated keys: <c>spec.template.spec</c>.</summary>
    public static object? At(object? node, string dottedPath)
    {
        var current = node;
        var walked = "";
        foreach (var key in dottedPath.Split('.'))
        {
            walked = walked.Length == 0 ? key : walked + "." + key;
            var map = Map(current, walked[..Math.Max(0, walked.Length - key.Length - 1)] is { Length: > 0 } parent ? parent : "(document)");
            if (!map.TryGetValue(key, out current))
            {
                throw new Xunit.Sdk.XunitException($"{walked} is missing");
            }
        }
        return current;
    }

    public static object? TryAt(object? node, string dottedPath)
    {
        var current = node;
        foreach (var key in dottedPath.Split('.'))
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetValue(key, out current))
            {
                return null;
            }
        }
        return current;
    }

    private static string Describe(object? node) => node switch
    {
        null => "null",
        string s => $"'{s}'",
        List<object?> => "a sequence",
        _ => "a mapping",
    };
}
