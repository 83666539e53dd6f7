namespace Sidewinder.Interop.Tests.Json;

/// <summary>Small helpers shared by the JSON conversion tests.</summary>
internal static class JsonTestHelpers
{
    /// <summary>Evaluates a Python expression and converts it with <see cref="PyBound.ToJson"/>.</summary>
    public static string ToJson(Python py, string expression, JsonConversionOptions? options = null)
    {
        using var value = py.Eval(expression);
        return value.ToJson(options);
    }

    /// <summary>Runs statements in a fresh namespace and returns the variable <paramref name="name"/>.</summary>
    public static PyBound Exec(Python py, string code, string name = "result")
    {
        using var globals = py.NewGlobals();
        using var compiled = py.Compile(code, "<test>", CompileMode.Exec);
        py.Execute(compiled, globals);
        return globals.GetItem(name);
    }

    /// <summary>Evaluates a Python predicate with <c>v</c> bound to <paramref name="value"/>.</summary>
    public static bool Check(Python py, PyBound value, string predicate)
    {
        using var globals = py.NewGlobals();
        globals.SetItem("v", value);
        using var result = py.Eval(predicate, globals);
        return result.IsTrue();
    }

    /// <summary><c>json.loads(text) == value</c>, checked in Python; with <paramref name="sameType"/> the types must match
    /// too (so int/float distinctions count).</summary>
    public static bool LoadsEqual(Python py, string json, PyBound value, bool sameType = true)
    {
        using var globals = py.NewGlobals();
        globals.SetItem("v", value);
        using var text = py.Str(json);
        globals.SetItem("text", text);
        using var exact = py.Bool(sameType);
        globals.SetItem("exact", exact);
        using var result = py.Eval("(lambda loaded: loaded == v and (not exact or type(loaded) is type(v)))(__import__('json').loads(text))", globals);
        return result.IsTrue();
    }

    /// <summary><c>obj[index]</c>.</summary>
    public static PyBound Item(Python py, PyBound obj, long index)
    {
        using var key = py.Int(index);
        return obj.GetItem(key);
    }

    /// <summary>What Python's own <c>json.dumps(value, separators=(',', ':'))</c> produces.</summary>
    public static string Dumps(Python py, PyBound value)
    {
        using var dumps = py.Eval("lambda v: __import__('json').dumps(v, separators=(',', ':'), ensure_ascii=False)");
        using var text = dumps.Call(value);
        return text.GetString();
    }

    /// <summary><c>sys.getrefcount(obj)</c>, to show conversions leave reference counts as they found them.</summary>
    public static long RefCount(Python py, PyBound obj)
    {
        using var getrefcount = py.Eval("__import__('sys').getrefcount");
        using var count = getrefcount.Call(obj);
        return count.GetInt64();
    }
}
