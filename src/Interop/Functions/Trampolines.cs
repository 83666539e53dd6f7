using System.Runtime.InteropServices;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop.Functions;

/// <summary>Builds Python function objects over .NET targets and is the native entry point Python calls.</summary>
/// <remarks>
/// Each function is a <c>PyCFunction</c> whose <c>self</c> is a capsule. The capsule's pointer is a GC handle to the
/// <see cref="FunctionTarget"/> and its context the native block holding the <c>PyMethodDef</c> and its strings (CPython
/// requires the definition to outlive the function object). When the function object dies it releases the capsule, whose
/// destructor frees both: nothing .NET-side needs to know when Python is done with a function.
/// </remarks>
internal static unsafe class Trampolines
{
    public static PyBound Create(Python py, FunctionTarget target, string? doc, PyBound module)
    {
        var name = Encoding.UTF8.GetBytes(target.Name);
        var docBytes = doc is null ? [] : Encoding.UTF8.GetBytes(doc);
        // One allocation: the definition, then the NUL-terminated name and doc.
        var size = sizeof(PyMethodDef) + name.Length + 1 + docBytes.Length + 1;
        var block = (byte*)NativeMemory.AllocZeroed((nuint)size);
        var definition = (PyMethodDef*)block;
        var namePointer = block + sizeof(PyMethodDef);
        name.CopyTo(new Span<byte>(namePointer, name.Length));
        var docPointer = namePointer + name.Length + 1;
        docBytes.CopyTo(new Span<byte>(docPointer, docBytes.Length));
        definition->Name = namePointer;
        definition->Doc = doc is null ? null : docPointer;
        definition->Flags = Protocols.METH_FASTCALL | Protocols.METH_KEYWORDS;
        definition->Method = (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&Call;

        var handle = GCHandle.Alloc(target);
        var capsule = Protocols.PyCapsule_New(GCHandle.ToIntPtr(handle), null, &DestroyCapsule);
        if (capsule.IsNull)
        {
            handle.Free();
            NativeMemory.Free(block);
            throw py.Error();
        }
        using var owner = capsule.Own();
        _ = Protocols.PyCapsule_SetContext(owner.Borrow(), (nint)block);
        // From here on the capsule owns the handle and the block.
        using var moduleName = module.IsNull ? default : module.GetAttrOrNull("__name__");
        return py.Own(Protocols.PyCFunction_NewEx(definition, owner.Borrow(), moduleName.IsNull ? BorrowedRef.Null : moduleName.Borrow()));
    }

    /// <summary><c>PyCFunctionFastWithKeywords</c>: what CPython calls for every call of a function built here.</summary>
    [UnmanagedCallersOnly]
    private static nint Call(nint self, nint* args, nint nargs, nint kwnames)
    {
        FunctionTarget? target = null;
        try
        {
            target = (FunctionTarget)GCHandle.FromIntPtr(FastNative.PyCapsule_GetPointer(new BorrowedRef(self), null)).Target!;
            // The thread is attached (it is running Python) but may not have come through an AttachScope: count the call as
            // an attach so that nested Attach() is a no-op and py.Detach() inside the callback works.
            var attachment = ThreadAttachment.Current;
            var outer = attachment.Interpreter;
            attachment.Depth++;
            attachment.Interpreter = target.Interpreter;
            try
            {
                var py = new Python(target.Interpreter);
                var result = target.Invoke(py, new PyArguments(py, args, checked((int)nargs), kwnames));
                return result.IsNull ? PyBound.NewReference(py, py.B.None).Steal().Pointer : result.Steal().Pointer;
            }
            finally
            {
                attachment.Depth--;
                attachment.Interpreter = attachment.Depth == 0 ? null : outer;
            }
        }
        catch (Exception exception)
        {
            ExceptionMapping.Raise(target, exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void DestroyCapsule(nint capsule)
    {
        var pointer = FastNative.PyCapsule_GetPointer(new BorrowedRef(capsule), null);
        var block = Protocols.PyCapsule_GetContext(new BorrowedRef(capsule));
        if (pointer != 0)
        {
            GCHandle.FromIntPtr(pointer).Free();
        }
        if (block != 0)
        {
            NativeMemory.Free((void*)block);
        }
    }
}
