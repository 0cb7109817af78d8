using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff image: every layer of an overlay stack, exported at once, as one tagged image in an OCI layout.</summary>
public static class ImageCommand
{
    public const string Help = $$"""
        usage: paralleldiff image INPUT (--oci-layout DIR | --oci-archive FILE) --tag NAME [--push REF] [options]

        Exports every layer of an overlay stack as an image: with --upper U --lower L3:L2:L1, L1 is a
        bottom-most snapshot, L2 a snapshot over L1, L3 over L2:L1 and U over all of them, as a
        snapshotter made them. The layers are exported concurrently (cores shared out as in
        'paralleldiff export'), stored in the layout, then an image config (rootfs.diff_ids bottom
        first) and a manifest are written and the manifest is tagged NAME in index.json. Prints the
        manifest's descriptor as one JSON line on stdout. The config is "created" now unless
        --source-date-epoch or --created says otherwise (--created none: the same layers always give
        the same image digest). A layer the layout already holds for the same
        snapshot, unchanged since (by its tree's inodes, sizes and change times, not its data), is
        taken from there and not read again; it is reported as "resumed".

        {{SnapshotArguments.Help}}
          (--from/--to is not a stack and is refused here)
        outputs
          --oci-layout DIR     the OCI image layout (created if absent); blobs already there are stored once
          --oci-archive FILE   the layout as one tar (ctr images import, skopeo oci-archive:); without
                               --oci-layout the layout is made beside FILE and removed after
          --tag NAME           the ref name in index.json (image-layout.md grammar); replaces an older NAME;
                               a full reference (docker.io/library/app:v1) is what containerd imports
          --report FILE.json   per layer (id layer-1 is the bottom): descriptor, diffID, bytes in and
                               out, seconds, differ used
        {{PushArguments.Help}}
        {{ImageConfigArguments.Help}}
        {{LayerProgressArguments.Help}}
        {{LayerArguments.Help}}
          --config FILE        HOCON settings over hocon/paralleldiff.conf (also $PARALLELDIFF_CONFIG)
          --log-level LEVEL    off (default)|error|warning|info|debug: the actor engine's log, on stderr;
                               debug also prints a failure's stack trace after its one-line message
          --parallelism N      workers inside one layer: classifying, reading ahead, compressing
                               (default pipeline.parallelism in the HOCON, 0 = one per core);
                               the bytes are the same at any value

        exit codes
          0 written and tagged; 1 failed (the message names the layer, the path and the cause;
          index.json is not changed); 2 bad command line; 130 interrupted
        """;

    private static readonly HashSet<string> Values =
        [.. SnapshotArguments.ValueOptions, .. LayerArguments.ValueOptions, "--oci-layout", "--oci-archive", "--tag", "--report", "--config", "--parallelism", "--log-level", .. LayerProgressArguments.ValueOptions, .. PushArguments.ValueOptions, .. ImageConfigArguments.ValueOptions];

    private static readonly HashSet<string> Flags = [.. SnapshotArguments.FlagOptions, .. LayerArguments.FlagOptions, .. LayerProgressArguments.FlagOptions];

    /// <summary>What the parser below accepts: for completion, and checked against <see cref="Help"/>.</summary>
    public static CommandSyntax Syntax => new("image", Values, Flags,
        CommandSyntax.Combine(LayerArguments.Choices, LayerProgressArguments.Choices, PushArguments.Choices, Settings.Choices), Help);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(args, cancellationToken).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.ParseOptions("image", args, Values, Flags);

        var layoutArgument = cl.Value("--oci-layout");
        if (layoutArgument is null && cl.Value("--oci-archive") is null)
        {
            throw new UsageException("image needs --oci-layout DIR or --oci-archive FILE");
        }

        var tag = TagArgument.Check(cl.Value("--tag") ?? throw new UsageException("image needs --tag NAME"));
        var pushTo = PushArguments.Reference(cl);

        var settings = Settings.Load(cl);
        var source = SnapshotArguments.Source(cl);
        if (source.To is not null)
        {
            throw new UsageException("image needs an overlay stack; --from/--to names two trees, not layers");
        }

        var options = LayerArguments.Parse(cl);
        var compression = LayerArguments.Compression(cl, settings);
        var stack = source.Resolve(() => Console.In.ReadToEnd());
        var dirs = OutputPaths.DirectoriesOf(stack);
        if (layoutArgument is not null)
        {
            OutputPaths.CheckDirectory("--oci-layout", layoutArgument, dirs);
        }

        using var archive = ArchiveOutput.Plan(cl, layoutArgument, dirs);
        var layoutDir = archive?.LayoutDir ?? layoutArgument!;
        if (cl.Value("--report") is { } report)
        {
            OutputPaths.CheckFile("--report", report, dirs);
        }

        var layers = ImageLayers.Of(stack);
        var imageConfig = ImageConfigArguments.Parse(cl, [.. layers.Select((layer, i) => $"paralleldiff image layer-{i + 1} upper={layer.Upper}")]);
        // A pushing layer also holds two upload chunks (the one going out and the one filling).
        var perLayer = settings.MemoryPerLayer + (pushTo is null ? 0 : 2L * settings.RegistryChunkSize);
        var budget = ExportBudget.For(settings.Parallelism, layers.Count, layers.Count, settings.MemoryBudget, perLayer, 2L * settings.BlockSize);
        var newLayout = !Directory.Exists(layoutDir);
        try
        {
            return await ExportAsync(cl, settings, layers, options, compression, budget, layoutDir, tag, pushTo, archive, imageConfig, cancellationToken).ConfigureAwait(false);
        }
        catch when (newLayout)
        {
            // A layout this run created and never stored a blob in goes too: a failure leaves no empty image store.
            OciLayout.RemoveIfEmpty(layoutDir);
            throw;
        }
    }

    private static async Task<int> ExportAsync(
        CommandLine cl, Settings settings, IReadOnlyList<Core.Snapshots.Snapshot> layers, Core.Layers.LayerOptions options,
        Core.Layers.CompressionSettings compression, ExportBudget budget, string layoutDir, string tag, ImageReference? pushTo, ArchiveOutput? archive,
        ImageConfig imageConfig, CancellationToken cancellationToken)
    {
        // Connected and logged in before the layout is made or a layer read.
        await using var registries = pushTo is null ? null : new RegistrySession(PushArguments.Options(cl, settings));
        var client = pushTo is null ? null : await registries!.ClientAsync(pushTo, cancellationToken).ConfigureAwait(false);
        var layout = OciLayout.Open(layoutDir);

        await using var writer = LayerWriters.Create(settings);
        await using var view = LayerProgressArguments.View(cl, settings);

        // A layer the layout holds for the same unchanged snapshot (a base exported before) is not read again.
        var reuse = new LayerReuse(layout, new StoredBlobs(layout));
        var keys = StoredLayerKeys.Of(Core.Fs.LinuxFileSystem.Instance, layers, $"{compression} {options}", cancellationToken);
        var stored = layers.Select((layer, i) => reuse.Stored(keys[i], $"layer-{i + 1}", layer.Upper, Warn)).ToList();
        view?.Begin(layers.Count, stored.OfType<SnapshotReport>().ToList(), budget);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(budget.LayersInFlight);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var exports = layers.Select(async (layer, i) =>
        {
            if (stored[i] is { } reused)
            {
                return reused;
            }

            await slots.WaitAsync(failed.Token).ConfigureAwait(false);
            var id = $"layer-{i + 1}";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var meter = view is null ? null : new LayerMeter();
                view?.Started(id, meter);
                using var push = client is null ? null : new LayerPush(client, meter, failed.Token);
                var request = new LayerWriteRequest(layer, options, compression, string.Empty)
                {
                    Parallelism = budget.PerLayerParallelism,
                    Meter = meter,
                    Warn = message => Warn($"{id} ({layer.Upper}): {message}"),
                    Copy = push is null ? null : push.Open,
                };
                var (result, seconds) = await UploadRetry.RunAsync(
                    async () =>
                    {
                        var written = await LayoutLayers.ExportAsync(writer, layout, request, failed.Token).ConfigureAwait(false);
                        if (push is not null)
                        {
                            await push.FinishAsync(written.Result.Descriptor).ConfigureAwait(false);
                        }

                        return written;
                    },
                    pushTo?.ToString() ?? string.Empty,
                    request.Warn,
                    meter,
                    failed.Token).ConfigureAwait(false);
                var report = SnapshotReport.Exported(id, layer.Upper, result, seconds);
                reuse.Record(keys[i], report);
                view?.Finished(report);
                return report;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The first failure stops the other layers: the image cannot be written without it.
                await failed.CancelAsync().ConfigureAwait(false);
                view?.Finished(SnapshotReport.Failed(id, layer.Upper, clock.Elapsed.TotalSeconds, e));
                throw new LayerFailedException($"{id} ({layer.Upper}): {e.Message}", e);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();

        // A failed layer wins over the cancellations it caused: WhenAll then throws its exception.
        SnapshotReport[] reports;
        try
        {
            reports = await Task.WhenAll(exports).ConfigureAwait(false);
        }
        catch (Exception e) when (view is not null && e is not OperationCanceledException)
        {
            await view.EndAsync([.. exports.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)], clock.Elapsed.TotalSeconds, interrupted: false).ConfigureAwait(false);
            throw;
        }

        if (view is not null)
        {
            await view.EndAsync(reports, clock.Elapsed.TotalSeconds, interrupted: false).ConfigureAwait(false);
        }

        var image = ImageWriter.Write(layout, reports.Select(r => r.Layer!).ToList(), tag, imageConfig, cancellationToken);
        if (client is not null)
        {
            // Its layers went up while they were written: the same config and manifest follow, then the tag.
            var pushed = await ImagePushes.PushAsync(registries!, client, pushTo!, [.. reports.Select(r => (r.Layer!, r.Status == SnapshotStatus.Resumed ? Stored(layout, r.Layer!) : null))], imageConfig, cancellationToken).ConfigureAwait(false);
            if (!cl.Has("--quiet"))
            {
                Console.Error.WriteLine($"pushed {pushed.Reference}@{pushed.ManifestDigest}");
            }
        }

        if (cl.Value("--report") is { } reportPath)
        {
            ExportReport.Write(reportPath, reports, clock.Elapsed.TotalSeconds);
        }

        archive?.Write(cancellationToken);

        StandardOutput.WriteLine(DescriptorLine.Of(image.Manifest));
        return ExitCodes.Success;

        static Func<Stream> Stored(OciLayout layout, Core.Layers.LayerDescriptor layer) => () => File.OpenRead(layout.BlobPath(layer.Digest));

        void Warn(string message)
        {
            if (view is null)
            {
                Console.Error.WriteLine(message);
            }
            else
            {
                view.Warning("image", message);
            }
        }
    }
}
