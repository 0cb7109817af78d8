namespace ParallelDiff.Samples.ExportWorker;

/// <summary>The exit codes of 'paralleldiff export', which this worker mirrors.</summary>
internal static class WorkerExitCodes
{
    public const int Success = 0;

    /// <summary>The command line or the job file is wrong; nothing ran.</summary>
    public const int Usage = 2;

    /// <summary>Some layers failed; the others are written.</summary>
    public const int PartlyFailed = 3;

    /// <summary>Stopped (Ctrl-C, SIGTERM) before every job ran.</summary>
    public const int Interrupted = 130;
}
