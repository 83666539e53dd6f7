namespace Sidewinder.Interop;

/// <summary>An open attachment of the current thread; dispose it (on the same thread) to detach.</summary>
/// <remarks>Scopes nest: only the outermost one attaches and detaches. A copy of the scope must not be disposed twice.</remarks>
public readonly ref struct AttachScope
{
    private readonly PythonRuntime _runtime;
    private readonly ThreadAttachment _attachment;

    internal AttachScope(PythonRuntime runtime, ThreadAttachment attachment)
    {
        _runtime = runtime;
        _attachment = attachment;
    }

    /// <summary>The token proving this thread is attached.</summary>
    public Python Python => new(_runtime);

    /// <summary>Leaves the scope; the outermost scope detaches the thread.</summary>
    public void Dispose()
    {
        if (_attachment is null || _attachment.Depth == 0)
        {
            return;
        }
        if (--_attachment.Depth == 0)
        {
            _runtime.Release(_attachment);
        }
    }
}
