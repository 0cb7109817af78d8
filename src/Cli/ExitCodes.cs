namespace ParallelDiff.Cli;

/// <summary>The exit codes every command documents.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work failed: a bad snapshot, an unreadable file, an I/O error. Nothing is left at the output.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;

    /// <summary>Some snapshots of a bulk export failed; the others are complete.</summary>
    public const int PartlyFailed = 3;

    /// <summary>Interrupted (Ctrl-C / SIGTERM); nothing partial is left behind.</summary>
    public const int Interrupted = 130;
}
