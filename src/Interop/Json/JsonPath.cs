using System.Text;

namespace Sidewinder.Interop.Json;

/// <summary>Where a converter is, kept cheaply so error messages can say <c>$.items[3].name</c>.</summary>
/// <remarks>
/// The hot loops only store an index or a key pointer per level; text is produced when an error is
/// reported. A key pointer is only read while the converter still holds that key alive.
/// </remarks>
internal sealed class JsonPath
{
    // Grown with the depth reached (up to the converter's own limit), so converting a scalar allocates nothing here.
    private long[] _indices = [];
    private nint[] _keys = [];

    /// <summary>The container at <paramref name="level"/> is an array (its items are addressed by index).</summary>
    public void BeginArray(int level)
    {
        EnsureLevel(level);
        _keys[level] = 0;
    }

    /// <summary>The item at <paramref name="index"/> of the array at <paramref name="level"/> is being converted.</summary>
    public void SetIndex(int level, long index) => _indices[level] = index;

    /// <summary>The member under <paramref name="key"/> (a Python object) of the object at <paramref name="level"/> is being converted.</summary>
    public void SetKey(int level, nint key)
    {
        EnsureLevel(level);
        _keys[level] = key;
    }

    private void EnsureLevel(int level)
    {
        if (level >= _keys.Length)
        {
            var size = Math.Max(8, Math.Max(level + 1, _keys.Length * 2));
            Array.Resize(ref _keys, size);
            Array.Resize(ref _indices, size);
        }
    }

    /// <summary>Formats the path through the first <paramref name="levels"/> containers; <paramref name="keyText"/> renders a key object.</summary>
    public string Format(int levels, Func<nint, string> keyText)
    {
        var builder = new StringBuilder("$");
        for (var level = 0; level < levels && level < _keys.Length; level++)
        {
            if (_keys[level] != 0)
            {
                AppendMember(builder, keyText(_keys[level]));
            }
            else
            {
                builder.Append('[').Append(_indices[level]).Append(']');
            }
        }
        return builder.ToString();
    }

    public static void AppendMember(StringBuilder builder, string name)
    {
        if (IsIdentifier(name))
        {
            builder.Append('.').Append(name);
            return;
        }
        builder.Append("[\"");
        foreach (var c in name)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' => builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }
        builder.Append("\"]");
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '$')
            {
                return false;
            }
        }
        return true;
    }
}
