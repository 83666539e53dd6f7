namespace Sidewinder.Workers;

/// <summary>What a <see cref="JobEvent"/> carries. The numbers are the host module's <c>EVENT_*</c> constants.</summary>
public enum JobEventKind
{
    /// <summary>Text the job wrote to standard output.</summary>
    Stdout = 0,

    /// <summary>Text the job wrote to standard error.</summary>
    Stderr = 1,

    /// <summary>A rich output (<c>display()</c>, a figure, a cell's execute_result); <see cref="JobEvent.Text"/> is its JSON.</summary>
    Display = 2,

    /// <summary>A Python <c>logging</c> record; <see cref="JobEvent.Text"/> is the message.</summary>
    Log = 3,
}

/// <summary>One piece of a running job's output, as it happened (see <see cref="JobEventBuffer"/>).</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Text">The text written, the record's message, or (for <see cref="JobEventKind.Display"/>) the output as
/// JSON: <c>{"type": "display" | "execute_result", "data": {mime: value}, "metadata": {...}}</c>.</param>
public sealed record JobEvent(JobEventKind Kind, string Text)
{
    /// <summary>For <see cref="JobEventKind.Log"/>: the Python level number (10 DEBUG ... 50 CRITICAL).</summary>
    public int Level { get; init; }

    /// <summary>For <see cref="JobEventKind.Log"/>: the Python logger's name.</summary>
    public string? Logger { get; init; }
}
