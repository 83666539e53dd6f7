using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

// Include/methodobject.h
internal static unsafe partial class Methods
{
    /// <summary>METH_O: the function takes exactly one positional argument, passed as the second C parameter.</summary>
    public const int METH_O = 0x0008;

    /// <summary>A builtin function object over <paramref name="def"/>; the definition must outlive it.</summary>
    [LibraryImport(PythonLibrary.Name)] public static partial NewRef PyCFunction_NewEx(PyMethodDef* def, BorrowedRef self, BorrowedRef module);
}

/// <summary><c>PyMethodDef</c>: part of the stable ABI, so one layout for every version and build.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyMethodDef
{
    public byte* Name;
    public delegate* unmanaged<nint, nint, nint> Method;
    public int Flags;
    public byte* Doc;
}
