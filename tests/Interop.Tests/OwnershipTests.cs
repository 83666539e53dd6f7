using System.Text.RegularExpressions;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Tests;

/// <summary>The native layer's ownership types (<see cref="OwnedRef"/>, <see cref="NewRef"/>) are the only code that
/// changes reference counts.</summary>
[Collection(PythonTests.Name)]
public sealed partial class OwnershipTests(RuntimeFixture fixture)
{
    private readonly PythonRuntime _runtime = fixture.Runtime;

    [Fact]
    public void OwnedRef_NewReferenceThenDispose_ReleasesExactlyOnce()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var probe = py.Eval("object()");
        var before = RefCount(py, probe);
        var owned = probe.Borrow().NewReference();
        Assert.Equal(before + 1, RefCount(py, probe));
        owned.Dispose();
        owned.Dispose(); // the second dispose does nothing
        Assert.Equal(before, RefCount(py, probe));
        Assert.True(owned.IsNull);
    }

    [Fact]
    public void OwnedRef_Steal_HandsTheReferenceOnAndLeavesNull()
    {
        using var scope = _runtime.Attach();
        var py = scope.Python;
        using var probe = py.Eval("object()");
        var before = RefCount(py, probe);
        var owned = probe.Borrow().NewReference();
        var moved = owned.Steal();
        owned.Dispose(); // nothing left to release
        Assert.True(owned.IsNull);
        Assert.Equal(before + 1, RefCount(py, probe));
        moved.Release();
        Assert.Equal(before, RefCount(py, probe));
    }

    [Fact]
    public void OwnedRef_Null_IsSafeToDisposeAndBorrow()
    {
        var owned = default(NewRef).Own();
        Assert.True(owned.IsNull);
        Assert.True(owned.Borrow().IsNull);
        owned.Dispose();
        default(NewRef).Release();
        var fromNull = BorrowedRef.Null.NewReference();
        Assert.True(fromNull.IsNull);
    }

    [Fact]
    public void Source_RefcountCallsAppearOnlyInTheOwnershipTypes()
    {
        var root = FindRepositoryRoot();
        var interop = Path.Combine(root, "src", "Interop");
        var allowed = new[] { Path.Combine("Native", "References.cs"), Path.Combine("Native", "Object.cs") };
        var offenders = Directory.EnumerateFiles(interop, "*.cs", SearchOption.AllDirectories)
            .Where(file => !allowed.Contains(Path.GetRelativePath(interop, file)))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, index)))
            .Where(x => RefcountCall().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.file)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "Reference counts changed by hand:\n" + string.Join('\n', offenders));
    }

    [GeneratedRegex(@"\bPy_(Inc|Dec)Ref\s*\(")]
    private static partial Regex RefcountCall();

    private static long RefCount(Python py, PyBound obj)
    {
        using var getrefcount = py.Eval("__import__('sys').getrefcount");
        using var count = getrefcount.Call(obj);
        return count.GetInt64();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sidewinder.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (the folder with Sidewinder.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
