namespace Sidewinder.Interop;

/// <summary>An open attachment of the current thread; dispose it (on the same thread) to detach.</summary>
/// <remarks>Scopes nest: only the outermost one attaches and detaches. A copy of the scope must not be disposed twice.</remarks>
public readonly ref struct AttachScope
{
    private readonly PythonInterpreter _interpreter;
    private readonly ThreadAttachment _attachment;

    internal AttachScope(PythonInterpreter interpreter, ThreadAttachment attachment)
    {
        _interpreter = interpreter;
        _attachment = attachment;
    }

    /// <summary>The token proving this thread is attached (to <see cref="Interpreter"/>).</summary>
    public Python Python => new(_interpreter);

    /// <summary>The interpreter this scope attached to.</summary>
    public PythonInterpreter Interpreter => _interpreter;

    /// <summary>Leaves the scope; the outermost scope detaches the thread.</summary>
    public void Dispose()
    {
        if (_attachment is null || _attachment.Depth == 0)
        {
            return;
        }
        if (--_attachment.Depth == 0)
        {
            if (_interpreter.IsMain)
            {
                _interpreter.Runtime.Release(_attachment);
            }
            else
            {
                _interpreter.Release(_attachment);
            }
        }
    }
}
