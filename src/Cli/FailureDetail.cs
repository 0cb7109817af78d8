namespace ParallelDiff.Cli;

/// <summary>How much of a failure a person sees: one line by default; with --log-level debug, its stack trace after it.</summary>
public static class FailureDetail
{
    public static bool StackTraces { get; set; }

    /// <summary>Writes the failure's stack trace to stderr when asked for.</summary>
    public static void WriteIfAsked(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (StackTraces)
        {
            Console.Error.WriteLine(failure.ToString());
        }
    }
}
