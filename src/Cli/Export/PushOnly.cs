using ParallelDiff.Cli.Commands;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Export;

/// <summary>export --push without --oci-layout: what it needs, and its run (<see cref="RegistryExport"/>).</summary>
internal static class PushOnly
{
    /// <exception cref="UsageException">No --push, no --journal, or an option that needs a layout.</exception>
    public static void Check(CommandLine cl)
    {
        if (cl.Value("--push") is null)
        {
            throw new UsageException("export needs --oci-layout DIR, or --push REGISTRY/REPOSITORY with --journal FILE");
        }

        if (cl.Value("--journal") is null)
        {
            throw new UsageException("export --push without --oci-layout needs --journal FILE: it records what was pushed, so that a rerun pushes only what is missing");
        }

        if (cl.Value("--oci-archive") is not null)
        {
            throw new UsageException("--oci-archive is a tar of the layout: give --oci-layout DIR too");
        }
    }

    /// <exception cref="JobListException">A job needs a layout ("lower-layers" keeps its lower layers there).</exception>
    public static void CheckJobs(IReadOnlyList<PlannedJob> jobs)
    {
        if (jobs.FirstOrDefault(j => j.Job.LowerLayers) is { } job)
        {
            throw new JobListException($"job \"{job.Job.Id}\": \"lower-layers\" needs --oci-layout DIR, where each lower layer is kept once");
        }
    }

    public static async Task<int> RunAsync(CommandLine cl, Settings settings, IReadOnlyList<PlannedJob> jobs, ExportPushes pushes, int maxConcurrent, CancellationToken cancellationToken)
    {
        var journalPath = cl.Value("--journal")!;
        using var journal = ExportJournal.Open(journalPath);
        await using var writer = LayerWriters.Create(settings);
        var mode = cl.Has("--quiet") ? "quiet" : cl.Choice("--progress", "auto", Commands.ExportCommand.ProgressModes);
        await using var progress = ExportCommand.Progress(mode, cl.Value("--push")!, settings.ProgressInterval);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<SnapshotReport> reports;
        try
        {
            reports = await new RegistryExport(journal, writer, progress, pushes).RunAsync(
                jobs,
                pending => ExportCommand.Budget(settings, jobs, maxConcurrent, pending, ExportCommand.PushMemory(pushes, settings)),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"paralleldiff export: interrupted; finished snapshots are recorded in {journal.Path}: rerun to resume");
            return ExitCodes.Interrupted;
        }

        return ExportCommand.Finish(cl, reports, clock.Elapsed.TotalSeconds) > 0 ? ExitCodes.PartlyFailed : ExitCodes.Success;
    }
}
