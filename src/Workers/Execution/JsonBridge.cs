using System.Text;
using System.Text.Json;
using Sidewinder.Interop;

namespace Sidewinder.Workers.Execution;

/// <summary>JSON in and out of Python for jobs: the one place that decides how values convert.</summary>
internal sealed class JsonBridge
{
    private readonly PyOwned _loads;
    private readonly PyOwned _dumps;

    public JsonBridge(Python py)
    {
        using var json = py.Import("json");
        using var loads = json.GetAttr("loads");
        using var dumps = py.Eval("__import__('functools').partial(__import__('json').dumps, allow_nan=False, ensure_ascii=False, separators=(',', ':'))");
        _loads = loads.ToOwned();
        _dumps = dumps.ToOwned();
    }

    /// <summary>A Python value for a JSON value.</summary>
    public PyBound FromJson(Python py, JsonElement element)
    {
        using var loads = _loads.Bind(py);
        using var text = py.Str(element.GetRawText());
        return loads.Call(text);
    }

    /// <summary>The value as UTF-8 JSON, at most <paramref name="maxBytes"/> long.</summary>
    /// <exception cref="JobConversionException">The value has no JSON form, or it is too large.</exception>
    public byte[] ToJson(PyBound value, int maxBytes)
    {
        var py = value.Py;
        using var dumps = _dumps.Bind(py);
        string text;
        try
        {
            using var json = dumps.Call(value);
            text = json.GetString();
        }
        catch (PythonException ex) when (ex.PythonType is "TypeError" or "ValueError" or "RecursionError" or "OverflowError")
        {
            throw new JobConversionException($"The {value.TypeName} value cannot be converted to JSON: {ex.PythonMessage}");
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > maxBytes)
        {
            throw new JobConversionException($"The JSON form of the {value.TypeName} value is {bytes.Length} bytes, over the limit of {maxBytes}.");
        }
        return bytes;
    }
}

/// <summary>A value could not be converted between JSON and Python.</summary>
internal sealed class JobConversionException(string message) : Exception(message);
