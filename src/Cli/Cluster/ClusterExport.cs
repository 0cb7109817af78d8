using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using ParallelDiff.Cli.Commands;
using ParallelDiff.Cli.Export;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// export --cluster: this process joins the cluster as its coordinator, hands the jobs to the
/// nodes that ask for work (<see cref="ExportCoordinator"/>), and journals each outcome as a
/// local export does, so a rerun resumes from the journal the same way. The output is one every
/// node reaches: a registry, to which each node pushes its jobs' images itself; or an OCI layout
/// on shared storage, into which the nodes write blobs and where only the coordinator writes
/// index.json and the journal, holding the layout's <see cref="LayoutWriterLock"/> throughout.
/// </summary>
internal static class ClusterExport
{
    /// <summary>Options that are the coordinator's own, not forwarded to nodes (each has its own settings, budget and logs).</summary>
    private static readonly HashSet<string> OwnValues = ["--jobs", "--oci-layout", "--report", "--journal", "--progress", "--config", "--parallelism",
        "--log-level", "--oci-archive", "--max-concurrent", .. ClusterMember.ValueOptions];

    private static readonly HashSet<string> OwnFlags = ["--quiet", .. ClusterMember.FlagOptions];

    /// <param name="pushes">The registries of a registry export; null for an export into a shared layout (--oci-layout).</param>
    public static async Task<int> RunAsync(CommandLine cl, IReadOnlyList<string> args, Settings settings, IReadOnlyList<PlannedJob> planned, ExportPushes? pushes, CancellationToken cancellationToken)
    {
        var member = ClusterMember.Parse(cl);
        var jobsPath = cl.Value("--jobs")!;
        var jobs = planned.Zip(RawJobs(jobsPath), (p, json) => new ClusterJob(p, json)).ToList();
        var layout = cl.Value("--oci-layout") is { } layoutDir ? Core.Oci.OciLayout.Open(layoutDir) : null;
        using var writerLock = layout is null ? null : LayoutWriterLock.Take(layout);
        using var journal = ExportJournal.Open(cl.Value("--journal") ?? Path.TrimEndingDirectorySeparator(layout!.Root) + ".journal.jsonl");
        var mode = cl.Has("--quiet") ? "quiet" : cl.Choice("--progress", "auto", "auto", "plain", "json");
        await using var progress = ExportCommand.Progress(mode is "auto" ? "plain" : mode, layout?.Root ?? cl.Value("--push")!, settings.ProgressInterval);
        var log = mode is "auto" or "plain" ? Console.Error : TextWriter.Null;
        var clock = Stopwatch.StartNew();

        var (outcomes, redo) = layout is null
            ? await new RegistryExport(journal, Layers.LayerWriters.Create(settings), progress, pushes!).CheckJournalAsync(planned, cancellationToken).ConfigureAwait(false)
            : CheckLayout(layout, journal, planned, cancellationToken);
        var pending = Enumerable.Range(0, jobs.Count).Where(i => outcomes[i] is null).ToList();
        progress.Begin(jobs.Count, outcomes.OfType<SnapshotReport>().ToList(), ExportBudget.For(1, 1, 1, long.MaxValue, 0, 0));
        foreach (var i in pending.Where(i => redo[i] is not null))
        {
            progress.Warning(jobs[i].Id, $"{redo[i]}; exporting it again");
        }

        var sink = new CoordinatorSink(jobs, journal, progress, log, outcomes, layout);
        var system = member.Start(settings, ExportCoordinator.Role);
        var interrupted = false;
        try
        {
            var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => joined.TrySetResult());
            var forwarded = ForwardedArguments(args);
            if (layout is not null)
            {
                // Every node writes the blobs into the same layout, by the path the coordinator sees.
                forwarded.AddRange(["--oci-layout", layout.Root]);
            }

            var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(jobsPath))!;
            var unassignedTimeout = settings.ClusterUnassignedTimeout;
            system.ActorOf(Props.Create(() => new ExportCoordinator(jobs, pending, forwarded, baseDirectory, sink, unassignedTimeout)), ExportCoordinator.Name);
            member.Join(system);
            log.WriteLine($"cluster: coordinator {ClusterMember.Describe(system)} joining {string.Join(',', member.Seeds.Select(ClusterMember.Describe))}");
            if (await Task.WhenAny(joined.Task, Task.Delay(settings.ClusterJoinTimeout, cancellationToken)).ConfigureAwait(false) != joined.Task)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new IOException($"--cluster {cl.Value("--cluster")}: could not join the cluster within {settings.ClusterJoinTimeout.TotalSeconds:0} s (is a seed node running there?)");
            }

            await sink.Finished.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (layout is not null)
            {
                // A node killed while it wrote leaves its staged file; every job is answered now, so
                // nothing staged is still wanted. Then, as a local export ends: a resumed layout and
                // a clean one are the same bytes.
                LayoutStaging.RemoveLeftovers(layout);
                LayoutIndexOrder.SortByRefName(layout, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            interrupted = true;
            Console.Error.WriteLine($"paralleldiff export: interrupted; finished snapshots are recorded in {journal.Path}: rerun to resume");
            return ExitCodes.Interrupted;
        }
        finally
        {
            await progress.EndAsync(outcomes.OfType<SnapshotReport>().ToList(), clock.Elapsed.TotalSeconds, interrupted).ConfigureAwait(false);
            sink.WriteNodeSummary();
            // Leave, so the nodes see the coordinator go at once rather than after the failure detector.
            await Akka.Cluster.Cluster.Get(system).LeaveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
        }

        return ExportCommand.Finish(cl, outcomes.Select(o => o!).ToList(), clock.Elapsed.TotalSeconds) > 0 ? ExitCodes.PartlyFailed : ExitCodes.Success;
    }

    /// <summary>
    /// A rerun into a shared layout skips what the journal and the layout agree is complete, as a
    /// local export does (<see cref="ResumeCheck"/>); leftovers of a killed run are removed first.
    /// </summary>
    private static (SnapshotReport?[] Outcomes, string?[] Redo) CheckLayout(Core.Oci.OciLayout layout, ExportJournal journal, IReadOnlyList<PlannedJob> planned, CancellationToken cancellationToken)
    {
        LayoutStaging.RemoveLeftovers(layout);
        var (outcomes, redo) = ResumeCheck.Run(layout, journal, planned, cancellationToken);
        var why = new string?[planned.Count];
        var index = planned.Select((p, i) => (p.Job.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        foreach (var (id, reason) in redo)
        {
            why[index[id]] = reason;
        }

        return (outcomes, why);
    }

    /// <summary>Each job's object as it stands in the job file, in file order (the file was checked by <see cref="ExportJobList.Load"/>).</summary>
    private static List<string> RawJobs(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetRawText())];
    }

    /// <summary>
    /// The command's options that shape each image (layer, compression, image config, push), for
    /// the nodes: without the coordinator's own, and with SOURCE_DATE_EPOCH made a flag, since a
    /// node's environment is its own.
    /// </summary>
    private static List<string> ForwardedArguments(IReadOnlyList<string> args)
    {
        var forwarded = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (OwnFlags.Contains(name))
            {
                continue;
            }

            if (OwnValues.Contains(name))
            {
                i += eq > 0 ? 0 : 1;
                continue;
            }

            forwarded.Add(arg);
        }

        if (!forwarded.Any(a => a.StartsWith("--source-date-epoch", StringComparison.Ordinal))
            && Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH") is { Length: > 0 } epoch)
        {
            forwarded.AddRange(["--source-date-epoch", epoch]);
        }

        return forwarded;
    }
}
