using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;

namespace Sidewinder.Interop.Tests;

/// <summary><c>default(PyBound)</c> is a documented state: every member but IsNull, Dispose and ToString throws
/// InvalidOperationException naming itself, and a null handle where an object is required throws ArgumentException,
/// before anything reaches CPython (which would dereference NULL, or delete an attribute for a NULL value).</summary>
[Collection(PythonTests.Name)]
public sealed class NullHandleTests(RuntimeFixture fixture)
{
    private static readonly string[] s_allowedOnNull = ["Dispose", "get_IsNull", "ToString"];

    private readonly PythonRuntime _runtime = fixture.Runtime;

    public static TheoryData<string> PublicMembers() =>
        [.. Members().Select(m => m.ToString()!)];

    [Theory]
    [MemberData(nameof(PublicMembers))]
    public void PublicMember_OnDefaultHandle_ThrowsInvalidOperationNamingTheMember(string signature)
    {
        var method = Members().Single(m => m.ToString() == signature);
        using var scope = _runtime.Attach();
        var error = Assert.Throws<InvalidOperationException>(() => InvokeOnNullHandle(method));
        var member = method.IsSpecialName ? method.Name[4..] : method.Name; // get_TypeName -> TypeName
        Assert.Contains($"PyBound.{member} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedMembers_OnDefaultHandle_DoNotThrow()
    {
        var handle = default(PyBound);
        Assert.True(handle.IsNull);
        Assert.Equal("<null>", handle.ToString());
        handle.Dispose();
    }

    [Fact]
    public void SetAttrAndSetItem_WithNullValue_ThrowInsteadOfDeleting()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        // Lambdas cannot capture a PyBound, so the objects travel as PyOwned.
        using var obj = Owned(py, "type('O', (), {'a': 1})()");
        using var dict = Owned(py, "{'k': 1}");
        var attrError = PyAssert.Throws<ArgumentException>(py, p => { using var o = obj.Bind(p); o.SetAttr("a", default); });
        Assert.Equal("value", attrError.ParamName);
        Assert.Contains("PyBound.SetAttr", attrError.Message, StringComparison.Ordinal);
        _ = PyAssert.Throws<ArgumentException>(py, p => { using var d = dict.Bind(p); d.SetItem("k", default); });
        _ = PyAssert.Throws<ArgumentException>(py, p => { using var d = dict.Bind(p); using var k = p.Str("k"); d.SetItem(k, default); });
        _ = PyAssert.Throws<ArgumentException>(py, p => { using var d = dict.Bind(p); using var one = p.Int(1); d.SetItem(default(PyBound), one); });
        using var o = obj.Bind(py);
        Assert.True(o.HasAttr("a"));
        using var d = dict.Bind(py);
        Assert.Equal(1, d.Length());
    }

    [Theory]
    [InlineData("Append", "item")]
    [InlineData("Add", "item")]
    [InlineData("IsInstance", "type")]
    [InlineData("EqualsValue", "other")]
    [InlineData("GetItem", "key")]
    [InlineData("Call", "b")]
    [InlineData("CallMethod", "a")]
    public void ObjectArgument_WithNullHandle_ThrowsArgumentException(string member, string parameter)
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var list = Owned(py, "[]");
        using var set = Owned(py, "set()");
        var error = PyAssert.Throws<ArgumentException>(py, p =>
        {
            using var l = list.Bind(p);
            using var s = set.Bind(p);
            switch (member)
            {
                case "Append": l.Append(default); break;
                case "Add": s.Add(default); break;
                case "IsInstance": _ = l.IsInstance(default); break;
                case "EqualsValue": _ = l.EqualsValue(default); break;
                case "GetItem": l.GetItem(default(PyBound)).Dispose(); break;
                case "Call": l.Call(l, default).Dispose(); break;
                default: l.CallMethod("append", default).Dispose(); break;
            }
        });
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains($"PyBound.{member}", error.Message, StringComparison.Ordinal);
        using var bound = list.Bind(py);
        Assert.Equal(0, bound.Length());
    }

    private static PyOwned Owned(Python py, string expression)
    {
        using var value = py.Eval(expression);
        return value.ToOwned();
    }

    [Fact]
    public void PyIterator_Default_MoveNextThrows()
    {
        using var scope = _runtime.Attach();
        var iterator = default(PyIterator);
        try
        {
            _ = iterator.MoveNext();
            Assert.Fail("MoveNext on a default PyIterator did not throw");
        }
        catch (InvalidOperationException error)
        {
            Assert.Contains("PyIterator.MoveNext", error.Message, StringComparison.Ordinal);
        }
        iterator.Dispose();
    }

    private static IEnumerable<MethodInfo> Members() =>
        typeof(PyBound).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !s_allowedOnNull.Contains(m.Name))
            .OrderBy(m => m.ToString(), StringComparer.Ordinal);

    /// <summary>Calls <paramref name="method"/> on <c>default(PyBound)</c>. Reflection cannot box a ref struct, so a small
    /// dynamic method does the call; PyBound arguments are null handles too, other arguments ordinary values.</summary>
    private static void InvokeOnNullHandle(MethodInfo method)
    {
        if (method.IsGenericMethodDefinition)
        {
            // Close generic members (Cast<T>, TryCast<T>, Extract<T>) over a view type or a plain value type.
            method = method.MakeGenericMethod(method.GetGenericArguments()
                .Select(t => t.GetGenericParameterConstraints().Length > 0 ? typeof(PyList) : typeof(int)).ToArray());
        }
        var parameters = method.GetParameters();
        var values = parameters.Select(p => ArgumentFor(p.ParameterType)).ToArray();
        var dynamic = new DynamicMethod("CallOnNull", typeof(void), [typeof(object?[])], typeof(NullHandleTests).Module, skipVisibility: true);
        var il = dynamic.GetILGenerator();
        var self = il.DeclareLocal(typeof(PyBound));
        il.Emit(OpCodes.Ldloca, self);
        il.Emit(OpCodes.Initobj, typeof(PyBound));
        il.Emit(OpCodes.Ldloca, self);
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (type.IsByRef)
            {
                var target = il.DeclareLocal(type.GetElementType()!);
                il.Emit(OpCodes.Ldloca, target);
                continue;
            }
            if (type == typeof(PyBound))
            {
                var local = il.DeclareLocal(type);
                il.Emit(OpCodes.Ldloca, local);
                il.Emit(OpCodes.Initobj, type);
                il.Emit(OpCodes.Ldloc, local);
                continue;
            }
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(type.IsValueType ? OpCodes.Unbox_Any : OpCodes.Castclass, type);
        }
        il.Emit(OpCodes.Call, method);
        if (method.ReturnType != typeof(void))
        {
            il.Emit(OpCodes.Pop);
        }
        il.Emit(OpCodes.Ret);
        dynamic.CreateDelegate<Action<object?[]>>()(values);
    }

    private static object? ArgumentFor(Type type) =>
        type.IsByRef || type.IsByRefLike ? null // an out parameter or a PyBound: the dynamic method passes a null handle itself
        : type == typeof(string) ? "name"
        : type == typeof(Utf8JsonWriter) ? new Utf8JsonWriter(Stream.Null)
        : type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type)
        : null;
}
