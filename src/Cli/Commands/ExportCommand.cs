using ParallelDiff.Cli.Cluster;
using ParallelDiff.Cli.Export;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Metrics;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff export: many snapshots into one OCI layout, concurrently, resumable.</summary>
public static class ExportCommand
{
    public const string Help = $$"""
        usage: paralleldiff export --jobs JOBS.json --oci-layout DIR [--push REGISTRY/REPOSITORY] [options]
               paralleldiff export --jobs JOBS.json --push REGISTRY/REPOSITORY --journal FILE [options]

        Exports many snapshots into one OCI image layout, or straight to a registry, or both. Each
        becomes a layer blob and an image tagged with the job's id in index.json and at the registry.
        Without --oci-layout no file of a layer is written anywhere: each is uploaded while it is
        compressed, and --journal records what was pushed, so a rerun pushes only what is missing
        (a job whose tag still names the manifest it pushed is skipped).

        jobs
          --jobs JOBS.json     a JSON list of jobs: {"id": NAME, INPUT, ["compression": KIND],
                               ["level": N], ["differ": KIND], ["push": REF]}. INPUT is any input
                               form of 'diff', spelled without the dashes: "upper" + "lower"
                               ("Ltop:…:Lbottom" or a list, top first), "from" + "to",
                               "mount-options", "mountpoint", "docker-layer", "mount-json" (a file),
                               or "mounts" (containerd's mount list inline); "userxattr": true. Relative directories are relative to
                               JOBS.json. The id is a ref name (image-layout.md). "base":
                               "LAYOUT:TAG" builds the job's image on that image: its layers first
                               (stored in DIR once), its config under the job's settings.
                               "lower-layers": true makes the stack's lower snapshots layers of the
                               image too, bottom first (each exported once per layout, then taken
                               from it while unchanged). The whole file is checked before anything runs.
          example
            [{"id": "web", "upper": "/snap/web/fs", "lower": "/snap/base/fs"},
             {"id": "db", "mount-options": "lowerdir=/l2:/l1,upperdir=/u,workdir=/w", "compression": "zstd"},
             {"id": "ci", "docker-layer": "/var/lib/docker/overlay2/0f3c…"}]
        outputs
          --oci-layout DIR     the OCI image layout (created if absent)
          --report FILE.json   every snapshot, sorted by id: status (done, resumed, failed), descriptor,
                               diffID, manifest, bytes in (file data read) and out (blob), seconds,
                               differ used, error; then the counts
          --journal FILE       the append-only journal (default: DIR.journal.jsonl beside the layout):
                               one JSON line per finished snapshot, fsynced as it finishes
          --oci-archive FILE   also the layout as one tar at the end (ctr images import, skopeo
                               oci-archive:), when every snapshot is exported
          --push REGISTRY/REPOSITORY
                               also push each job's image there, tagged with the job's id (a job's
                               own "push": "REGISTRY/REPOSITORY:TAG" wins); layers go up while they
                               are written; a rerun makes sure of the skipped jobs' images (HEAD
                               finds their blobs, nothing is sent twice)
          --authfile, --tls-verify, --cert-dir, --insecure-registry, --max-concurrent-uploads
                               as in 'paralleldiff diff --help'
        cache (README.md, "The content cache")
          --cache DIR          a cache shared by runs (and by exports running at once): a snapshot whose
                               settings, lowers and stat data (inode, ctime and mtime to the ns, size,
                               mode, owner, xattr names: of the whole upper, and of the lower paths the
                               differ consulted) are those of one exported before is not read at
                               all, its blob re-hashed and linked or copied into the layout; a
                               zstd:chunked or eStargz frame of file data compressed before is
                               copied, not compressed again. The bytes are the same as without it.
                               Needs --oci-layout.
          --cache-size SIZE    trim the cache's blobs and frames to SIZE after the export, least
                               recently used first (default cache.size in the settings, 10 GiB)
        across machines (paralleldiff node --help)
          --cluster HOST:PORT[,…]
                               run the export on the nodes of a paralleldiff cluster: this process
                               joins it as the coordinator, hands each job to a node that can read it
                               (its --roots, or the job's "node": NAME) and journals the outcomes. The
                               output is one every node reaches: --push and --journal (each node
                               pushes its jobs' images), or --oci-layout DIR on storage every node
                               mounts at the same path (nodes write the blobs, only the coordinator
                               writes index.json and the journal, and a second export writing DIR
                               is refused). A job
                               no node can take fails once the membership has been still for
                               cluster.unassigned-timeout-s; a dead node's jobs go to other nodes
          --bind, --cluster-cert, --allow-insecure-bind
                               as in 'paralleldiff node --help'
        concurrency (one budget for the whole machine)
          --max-concurrent N   layers in flight at most (default: export.max-concurrent in the settings,
                               0 = one per core). The budget: L = min(N, cores, snapshots) layers in
                               flight, each with P = cores / L workers, so L x P <= cores; L is lowered
                               further while L x (read-ahead + P x 2 blocks) exceeds export.memory-budget.
        resume
          Rerunning the same command after a crash, a kill -9 or Ctrl-C skips every snapshot that the
          journal records as done with the same job and settings and whose layer blob (of the recorded
          size), manifest and tag are in the layout; the rest are exported again. Leftover temporary
          files are removed and index.json is sorted by ref name, so the layout ends byte-identical to
          a clean run's.
        progress (stderr)
          --progress auto      a live view on a terminal (a bar moved by finished layers and by the bytes
                               of running ones, MB/s in and out, each running layer's bytes read of its
                               file data, rate, bytes written and ETA), otherwise plain (the default)
          --progress plain     one line per finished snapshot, and a summary
          --progress json      one JSON object per line and event: begin, start, warning, progress,
                               done, failed (with the report entry), end. {{ProgressHelp.JsonEvent}}
          --quiet              nothing but failures
        metrics
          --metrics [HOST:]PORT
                               while the export runs, serve its metrics at http://HOST:PORT/metrics in
                               Prometheus's text format: layers started, done and failed, bytes read
                               and written, durations, compression ratios, read-ahead in use, cache
                               hits (README.md, "Metrics"). HOST is an IP address or localhost
                               (default: metrics.host in the settings, 127.0.0.1; 0.0.0.0 opens it to
                               other machines); port 0 takes a free port and prints it
        {{ImageConfigArguments.Help}}
          (every job's image; a job's own "cmd", "entrypoint", "env", "workdir", "user", "labels",
          "annotations", "platform" and "created" go over them, "env" and "labels" adding to them)
        {{LayerArguments.Help}}
          (compression, level and differ are defaults; a job's own settings win)
          --config FILE        HOCON settings over hocon/paralleldiff.conf (also $PARALLELDIFF_CONFIG)
          --log-level LEVEL    off (default)|error|warning|info|debug: the actor engine's log, on stderr;
                               debug also prints a failure's stack trace after its one-line message
          --parallelism N      workers inside one layer: classifying, reading ahead, compressing
                               (default pipeline.parallelism in the HOCON, 0 = one per core);
                               the bytes are the same at any value

        exit codes
          0 every snapshot is in the layout; 3 some snapshots failed (each reported with its cause;
          the others are complete); 1 the export itself failed (the layout or journal unusable);
          2 bad command line or job file; 130 interrupted (finished snapshots stay recorded: rerun
          to resume)
        """;

    internal static readonly HashSet<string> Values =
        [.. LayerArguments.ValueOptions, "--jobs", "--oci-layout", "--max-concurrent", "--report", "--journal", "--progress", "--config", "--parallelism", "--log-level", "--oci-archive", "--metrics", "--cache", "--cache-size", .. PushArguments.ValueOptions, .. ImageConfigArguments.ValueOptions, .. ClusterMember.ValueOptions];

    internal static readonly HashSet<string> Flags = [.. LayerArguments.FlagOptions, "--quiet", .. ClusterMember.FlagOptions];

    /// <summary>--progress's words, with or without a layout (PushOnly).</summary>
    internal static readonly string[] ProgressModes = ["auto", "plain", "json"];

    /// <summary>What the parser below accepts: for completion, and checked against <see cref="Help"/>.</summary>
    public static CommandSyntax Syntax => new("export", Values, Flags,
        CommandSyntax.Combine(LayerArguments.Choices, PushArguments.Choices, Settings.Choices, new Dictionary<string, IReadOnlyList<string>> { ["--progress"] = ProgressModes }), Help);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(args, cancellationToken).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        CryptoWarmUp.Start();
        var cl = CommandLine.ParseOptions("export", args, Values, Flags);

        var jobsPath = cl.Value("--jobs") ?? throw new UsageException("export needs --jobs JOBS.json");
        var layoutDir = cl.Value("--oci-layout");
        if (layoutDir is null)
        {
            PushOnly.Check(cl);
        }
        else if (cl.Value("--cluster") is not null && cl.Value("--push") is not null)
        {
            throw new UsageException("export --cluster writes one output every node reaches: a registry (--push REGISTRY/REPOSITORY --journal FILE) or an OCI layout on shared storage (--oci-layout DIR), not both");
        }

        if (cl.Value("--cluster") is not null && (cl.Value("--cache") ?? cl.Value("--oci-archive")) is not null)
        {
            throw new UsageException("--cache and --oci-archive are options of a local export, not of export --cluster");
        }

        if (cl.Value("--cache") is not null && layoutDir is null)
        {
            throw new UsageException("--cache keeps the layers it reuses in the layout they are placed in: give --oci-layout DIR");
        }

        if (cl.Value("--cache-size") is not null && cl.Value("--cache") is null)
        {
            throw new UsageException("--cache-size sizes the --cache directory: give --cache DIR too");
        }

        if (cl.Value("--cluster") is null && ClusterMember.ValueOptions.Concat(ClusterMember.FlagOptions).FirstOrDefault(o => cl.Value(o) is not null || cl.Has(o)) is { } clusterOnly)
        {
            throw new UsageException($"{clusterOnly} is an option of a cluster export: give --cluster too");
        }

        var progressMode = cl.Choice("--progress", "auto", ProgressModes);
        if (cl.Has("--quiet") && cl.Value("--progress") is not null)
        {
            throw new UsageException("--quiet and --progress say different things: give one");
        }

        var settings = Settings.Load(cl);
        var metricsAt = cl.Value("--metrics") is { } listen ? MetricsAddress.Parse("--metrics", listen, settings.MetricsHost) : null;
        var maxConcurrent = cl.Number("--max-concurrent") is { } n
            ? n >= 1 ? checked((int)n) : throw new UsageException($"--max-concurrent {n}: at least 1")
            : settings.MaxConcurrent;
        var layer = LayerArguments.Parse(cl);
        var compression = LayerArguments.Compression(cl, settings);
        var imageFields = ImageConfigArguments.Fields(cl);
        var epoch = LayerArguments.SourceDateEpoch(cl);
        // With --cache most of a rerun is planning and the cache pass: no collection runs in them.
        using var pause = cl.Value("--cache") is not null ? CollectionPause.Begin(JobFileBytes(jobsPath)) : null;
        var jobs = OrderedParallel.Map(ExportJobList.Load(jobsPath), (job, _) => PlannedJob.For(job, layer, compression, settings, imageFields, epoch, config => ImageConfigArguments.Inherit(cl, config)));

        CheckOutputs(cl, layoutDir, jobs);

        // Listening before anything is written: a port in use fails the command, not a finished export.
        await using var metrics = metricsAt is null ? null : MetricsEndpoint.Start("--metrics", metricsAt);
        if (metrics is not null && metricsAt!.Port == 0)
        {
            Console.Error.WriteLine($"paralleldiff export: metrics at http://{metrics.Address}/metrics");
        }

        // Every registry connected and logged in before the layout is made or a snapshot read.
        await using var pushes = ExportPushes.Plan(cl, settings, jobs);
        if (layoutDir is null)
        {
            PushOnly.CheckJobs(jobs);
        }

        if (pushes is not null)
        {
            await pushes.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        if (cl.Value("--cluster") is not null)
        {
            // Lower layers would be exported by several nodes into one layout's stored layers at once.
            if (layoutDir is not null && jobs.FirstOrDefault(j => j.Job.LowerLayers) is { } lowerLayers)
            {
                throw new JobListException($"job \"{lowerLayers.Job.Id}\": \"lower-layers\" is for a local export; export --cluster does not take it");
            }

            return await ClusterExport.RunAsync(cl, args, settings, jobs, pushes, cancellationToken).ConfigureAwait(false);
        }

        if (layoutDir is null)
        {
            return await PushOnly.RunAsync(cl, settings, jobs, pushes!, maxConcurrent, cancellationToken).ConfigureAwait(false);
        }

        var layout = OciLayout.Open(layoutDir);
        using var writerLock = LayoutWriterLock.Take(layout);
        using var spill = settings.CacheSpill > 0 ? new Core.Layers.LazyPull.SpillFrames(Path.GetTempPath(), settings.CacheSpill) : null;
        var cache = ExportCache.Open(cl, settings, spill);
        var journalPath = cl.Value("--journal") ?? Path.TrimEndingDirectorySeparator(layout.Root) + ".journal.jsonl";
        using var journal = ExportJournal.Open(journalPath);
        await using var writer = LayerWriters.Create(settings);
        await using var progress = Progress(cl.Has("--quiet") ? "quiet" : progressMode, layout.Root, settings.ProgressInterval);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<SnapshotReport> reports;
        try
        {
            var frames = cache?.Frames ?? new Core.Layers.LazyPull.FrameCache(settings.CacheMemory, spill: spill);
            var cached = cache is null ? null : new CachedLayers(cache);
            reports = await new BulkExport(layout, journal, writer, progress, settings.GroupInterval, pushes, frames, cached) { EndsWithCachePass = pause }.RunAsync(
                jobs,
                pending => Budget(settings, jobs, maxConcurrent, pending, PushMemory(pushes, settings)),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"paralleldiff export: interrupted; finished snapshots are recorded in {journal.Path}: rerun to resume");
            return ExitCodes.Interrupted;
        }

        var failed = Finish(cl, reports, clock.Elapsed.TotalSeconds);
        if (spill?.Stopped is { } stopped)
        {
            // Only slower for it, never other bytes: said, not failed.
            Console.Error.WriteLine($"paralleldiff export: warning: frames past cache.memory were not all kept: {stopped}");
        }

        if (cache is not null)
        {
            ExportCache.Trim(cache, quiet: cl.Has("--quiet"));
        }

        if (cl.Value("--oci-archive") is { } archive)
        {
            // An archive is for shipping: only a whole export is written as one.
            if (failed == 0)
            {
                OciArchive.Write(layout, archive, cancellationToken);
            }
            else
            {
                Console.Error.WriteLine($"paralleldiff export: --oci-archive {archive} not written: {failed} snapshot(s) failed");
            }
        }

        return failed > 0 ? ExitCodes.PartlyFailed : ExitCodes.Success;
    }

    /// <summary>The job file's size, or 0 when it cannot be had (loading it then says why).</summary>
    private static long JobFileBytes(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Writes --report; returns how many snapshots failed.</summary>
    internal static int Finish(CommandLine cl, IReadOnlyList<SnapshotReport> reports, double seconds)
    {
        if (cl.Value("--report") is { } reportPath)
        {
            ExportReport.Write(reportPath, reports, seconds);
        }

        return reports.Count(r => r.Status == SnapshotStatus.Failed);
    }

    /// <summary>
    /// The export's budget (<see cref="ExportBudget"/>). An export whose every layer is zstd:chunked
    /// or eStargz counts a layer at what such a layer holds: one thread each, no read-ahead, so as
    /// many run at once as there are cores (with the parallel pipeline's figures only one fit, and
    /// such an export used one core of many).
    /// </summary>
    internal static ExportBudget Budget(Settings settings, IReadOnlyList<PlannedJob> jobs, int maxConcurrent, int pending, long pushMemory)
    {
        if (jobs.Count > 0 && jobs.All(j => j.Compression.Kind.IsLazyPull()))
        {
            return ExportBudget.For(settings.Parallelism, maxConcurrent, pending, settings.MemoryBudget, settings.MemoryPerLazyPullLayer + pushMemory, 0);
        }

        return ExportBudget.For(settings.Parallelism, maxConcurrent, pending, settings.MemoryBudget, settings.MemoryPerLayer + pushMemory, 2L * settings.BlockSize);
    }

    /// <summary>A pushing layer also holds two upload chunks (the one going out and the one filling).</summary>
    internal static long PushMemory(ExportPushes? pushes, Settings settings) => pushes is null ? 0 : 2L * settings.RegistryChunkSize;

    internal static IExportProgress Progress(string mode, string destination, TimeSpan interval) => mode switch
    {
        "quiet" => new QuietProgress(Console.Error),
        "json" => new JsonProgress(Console.Error, interval),
        "plain" => new PlainProgress(Console.Error),
        _ => Terminal.IsStandardError() ? new LiveProgress(Console.Error, destination, interval) : new PlainProgress(Console.Error),
    };

    /// <summary>
    /// The layout, journal and report checked before any snapshot is read (<see cref="OutputPaths"/>):
    /// none may lie inside a job's snapshot, and a report into a missing folder fails now, not after
    /// the whole export. A job whose snapshot cannot be resolved is skipped here: it fails on its own.
    /// </summary>
    private static void CheckOutputs(CommandLine cl, string? layoutDir, IReadOnlyList<PlannedJob> jobs)
    {
        var listed = OrderedParallel.Map(jobs, (planned, _) =>
        {
            try
            {
                return OutputPaths.Labelled(planned.Resolved(), planned.Job.Id + " ");
            }
            catch (Exception e) when (e is SnapshotException or IOException or UsageException or ArgumentException)
            {
                // Reported as that job's failure when it runs.
                return [];
            }
        });

        var dirs = new SnapshotDirectories(listed.SelectMany(d => d));
        if (layoutDir is not null)
        {
            OutputPaths.CheckDirectory("--oci-layout", layoutDir, dirs);
        }

        if (cl.Value("--cache") is { } cache)
        {
            OutputPaths.CheckDirectory("--cache", cache, dirs);
        }

        // Without a layout --journal is required (PushOnly.Check).
        var journal = cl.Value("--journal") ?? Path.TrimEndingDirectorySeparator(Path.GetFullPath(layoutDir!)) + ".journal.jsonl";
        OutputPaths.CheckFile(cl.Value("--journal") is null ? "journal" : "--journal", journal, dirs);
        if (cl.Value("--report") is { } report)
        {
            OutputPaths.CheckFile("--report", report, dirs);
        }

        if (cl.Value("--oci-archive") is { } archive)
        {
            OutputPaths.CheckFile("--oci-archive", archive, dirs);
        }
    }
}
