namespace ParallelDiff.Cli.Progress;

/// <summary>Whether a live view can be drawn.</summary>
public static class Terminal
{
    /// <summary>A live view needs a terminal that understands cursor movement: stderr is one and TERM is not "dumb".</summary>
    public static bool IsStandardError() =>
        !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && term != "dumb";
}
