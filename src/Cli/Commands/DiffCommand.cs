using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff diff: one snapshot → one layer blob (a file, or into an OCI layout), descriptor on stdout.</summary>
public static class DiffCommand
{
    public const string Help = $$"""
        usage: paralleldiff diff INPUT (-o OUT | --oci-layout DIR [--tag NAME] | --push REF) [options]

        Writes the OCI layer of one snapshot and prints its descriptor as one JSON line on stdout:
          {{LayerArguments.DescriptorExample}}
        The uncompressed tar is byte-identical to BuildKit's overlay differ wherever BuildKit works.

        {{SnapshotArguments.Help}}
        outputs (one or more)
          -o, --output OUT     the blob; written to a temp file beside OUT, fsynced and renamed,
                               so OUT is complete or absent; -o - writes it to standard output
                               (a pipe) and the descriptor to stderr
          --oci-layout DIR     store the blob in an OCI image layout (created if absent) under
                               blobs/sha256/DIGEST; a blob already there is stored once
          --tag NAME           with --oci-layout: also write a one-layer image (config, manifest) and
                               tag it NAME in index.json
          --oci-archive FILE   the layout as one tar (ctr images import, skopeo oci-archive:); needs
                               --tag, a full reference for containerd (docker.io/library/app:v1)
          --report FILE.json   a report: descriptor, diffID, bytes in (file data read) and out (blob),
                               seconds, the differ used, and what a push sent
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
          0 written; 1 failed (the message names the path and the cause; nothing left at OUT or in
          the layout's index); 2 bad command line; 130 interrupted
        """;

    private static readonly HashSet<string> Values =
        [.. SnapshotArguments.ValueOptions, .. LayerArguments.ValueOptions, "-o", "--output", "--oci-layout", "--oci-archive", "--tag", "--report", "--config", "--parallelism", "--log-level", .. LayerProgressArguments.ValueOptions, .. PushArguments.ValueOptions, .. ImageConfigArguments.ValueOptions];

    private static readonly HashSet<string> Flags = [.. SnapshotArguments.FlagOptions, .. LayerArguments.FlagOptions, .. LayerProgressArguments.FlagOptions];

    /// <summary>What the parser below accepts: for completion, and checked against <see cref="Help"/>.</summary>
    public static CommandSyntax Syntax => new("diff", Values, Flags,
        CommandSyntax.Combine(LayerArguments.Choices, LayerProgressArguments.Choices, PushArguments.Choices, Settings.Choices), Help);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(args, cancellationToken).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.ParseOptions("diff", args, Values, Flags);

        var output = cl.Value("-o", "--output");
        var layoutDir = cl.Value("--oci-layout");
        var tag = cl.Value("--tag") is { } named ? TagArgument.Check(named) : null;
        var pushTo = PushArguments.Reference(cl);
        var archived = cl.Value("--oci-archive") is not null;
        if (output is null && layoutDir is null && pushTo is null && !archived)
        {
            throw new UsageException("diff needs -o OUT, --oci-layout DIR, --oci-archive FILE or --push REF");
        }

        if (archived && tag is null)
        {
            throw new UsageException("--oci-archive needs --tag NAME: the name the image is imported under (a full reference, e.g. docker.io/library/app:v1, for containerd)");
        }

        var toStdout = output == "-";
        if (toStdout)
        {
            StandardOutputBlob.CheckNotTerminal();
            output = null;
        }

        if (tag is not null && layoutDir is null && !archived)
        {
            throw new UsageException("--tag needs --oci-layout or --oci-archive");
        }

        if (tag is null && pushTo is null && ImageConfigArguments.ValueOptions.FirstOrDefault(o => cl.Value(o) is not null || cl.Values(o).Count > 0) is { } configOption)
        {
            throw new UsageException($"{configOption} describes an image: give --tag (with --oci-layout or --oci-archive) or --push");
        }

        var settings = Settings.Load(cl);
        var source = SnapshotArguments.Source(cl);

        // Only a command that writes an image reads its settings: a plain -o starts with nothing more to do.
        var imageConfig = tag is null && pushTo is null ? ImageConfig.Default : ImageConfigArguments.Parse(cl, [$"paralleldiff diff {source.Describe()}"]);
        var options = LayerArguments.Parse(cl);
        var compression = LayerArguments.Compression(cl, settings);
        if (EngineHandoff.IsFront && pushTo is not null)
        {
            throw EngineHandoff.Exec("pushes to registries");
        }

        if (EngineHandoff.IsFront && source.MountJsonPath == SnapshotSource.StandardInput)
        {
            // Standard input, once read here, could not be read again by the engine should the upper need it.
            throw EngineHandoff.Exec("reads --mount-json from standard input");
        }

        // Lambdas, not method groups: Console.In and Console.Error would be set up (some ms) to build them.
        var snapshot = source.Resolve(() => Console.In.ReadToEnd());
        var snapshotDirectories = OutputPaths.DirectoriesOf(snapshot);
        CheckOutputs(cl, output, layoutDir, snapshotDirectories);
        var copies = new BlobCopies(toStdout);
        using var archive = ArchiveOutput.Plan(cl, layoutDir, snapshotDirectories);
        layoutDir = archive?.LayoutDir ?? layoutDir;
        var newLayout = layoutDir is not null && !Directory.Exists(layoutDir);
        try
        {
            return await WriteAsync(cl, snapshot, source, settings, options, compression, output, layoutDir, tag, pushTo, copies, archive, imageConfig, cancellationToken).ConfigureAwait(false);
        }
        catch when (newLayout)
        {
            // A layout this run created and never stored a blob in goes too: a failure leaves no empty image store.
            OciLayout.RemoveIfEmpty(layoutDir!);
            throw;
        }
    }

    private static async Task<int> WriteAsync(
        CommandLine cl, Core.Snapshots.Snapshot snapshot, SnapshotSource source, Settings settings, LayerOptions options,
        CompressionSettings compression, string? output, string? layoutDir, string? tag, ImageReference? pushTo, BlobCopies copies, ArchiveOutput? archive,
        ImageConfig imageConfig, CancellationToken cancellationToken)
    {
        var id = tag ?? snapshot.Name;

        // Connected and logged in before the upper is read: a push that cannot work fails first.
        await using var registries = pushTo is null ? null : new RegistrySession(PushArguments.Options(cl, settings));
        var client = pushTo is null ? null : await registries!.ClientAsync(pushTo, cancellationToken).ConfigureAwait(false);
        await using var view = LayerProgressArguments.View(cl, settings);
        var meter = view is null ? null : new LayerMeter();
        using var push = client is null ? null : new LayerPush(client, meter, cancellationToken);
        var request = new LayerWriteRequest(snapshot, options, compression, output ?? (copies.ToStandardOutput ? "standard output" : pushTo?.ToString()) ?? string.Empty)
        {
            Parallelism = settings.Parallelism,
            Meter = meter,
            Warn = view is null ? message => Console.Error.WriteLine(message) : message => view.Warning(id, message),
            Copy = copies.With(push),
            WritesFile = output is not null || layoutDir is not null,
        };

        await using var writer = LayerWriters.Create(settings);
        LayerExportResult result;
        double seconds;
        OciDescriptor? manifest = null;
        PushRecord? pushed;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (view is not null || layoutDir is not null)
        {
            // The front hands a large upper to the engine here, before it prints a progress line or
            // creates the layout: the engine runs the command afresh, and a layout it found already
            // there would not be one it may remove on failure.
            writer.Prepare(request);
        }

        if (view is not null)
        {
            view.Begin(1, [], new ExportBudget(1, request.Parallelism));
            view.Started(id, request.Meter);
        }

        try
        {
            (result, seconds, pushed) = await UploadRetry.RunAsync(
                async () =>
                {
                    LayerExportResult written;
                    double took;
                    if (layoutDir is null || output is not null)
                    {
                        written = await writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                        took = clock.Elapsed.TotalSeconds;
                    }
                    else
                    {
                        (written, took) = await LayoutLayers.ExportAsync(writer, OciLayout.Open(layoutDir!), request, cancellationToken).ConfigureAwait(false);
                    }

                    var record = push is null ? null : await PushAsync(push, registries!, client!, written.Descriptor, imageConfig, cancellationToken).ConfigureAwait(false);
                    return (written, took, record);
                },
                pushTo?.ToString() ?? string.Empty,
                request.Warn,
                meter,
                cancellationToken,

                // Bytes a pipe has taken cannot be sent again.
                maxAttempts: copies.ToStandardOutput ? 1 : UploadRetry.MaxAttempts).ConfigureAwait(false);
        }
        catch (Exception e) when (view is not null && e is not OperationCanceledException)
        {
            var failed = SnapshotReport.Failed(id, source.Describe(), clock.Elapsed.TotalSeconds, e);
            view.Finished(failed);
            await view.EndAsync([failed], clock.Elapsed.TotalSeconds, interrupted: false).ConfigureAwait(false);
            throw;
        }

        if (layoutDir is not null)
        {
            var layout = OciLayout.Open(layoutDir);
            if (output is not null)
            {
                layout.AddBlobFile(output, result.Descriptor.Digest);
            }

            if (tag is not null)
            {
                manifest = ImageWriter.Write(layout, [result.Descriptor], tag, imageConfig, cancellationToken).Manifest;
            }
        }

        var report = SnapshotReport.Exported(id, source.Describe(), result, seconds) with { Manifest = manifest, Push = pushed };
        if (view is not null)
        {
            view.Finished(report);
            await view.EndAsync([report], clock.Elapsed.TotalSeconds, interrupted: false).ConfigureAwait(false);
        }

        if (cl.Value("--report") is { } reportPath)
        {
            ExportReport.Write(reportPath, [report], seconds);
        }

        archive?.Write(cancellationToken);

        if (pushed is not null && !cl.Has("--quiet"))
        {
            Console.Error.WriteLine($"pushed {pushed.Reference}@{pushed.ManifestDigest}");
        }

        if (copies.ToStandardOutput)
        {
            // Standard output carried the blob: the descriptor goes to stderr.
            Console.Error.WriteLine(DescriptorLine.Of(result.Descriptor));
        }
        else
        {
            StandardOutput.WriteLine(DescriptorLine.Of(result.Descriptor));
        }

        return ExitCodes.Success;
    }

    /// <summary>The layer's upload closed under its digest, then the one-layer image a layout would hold, pushed and tagged.</summary>
    private static async Task<PushRecord> PushAsync(LayerPush push, RegistrySession registries, RegistryClient client, LayerDescriptor layer, ImageConfig config, CancellationToken cancellationToken)
    {
        await push.FinishAsync(layer).ConfigureAwait(false);
        return await ImagePushes.PushAsync(registries, client, client.Reference, [(layer, null)], config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every output checked before the upper is read (<see cref="OutputPaths"/>), and what earlier
    /// killed runs left beside them removed: -o's temporary files, the layout's staging files.
    /// </summary>
    private static void CheckOutputs(CommandLine cl, string? output, string? layoutDir, SnapshotDirectories dirs)
    {
        if (output is not null)
        {
            OutputPaths.CheckFile("-o", output, dirs);
        }

        if (layoutDir is not null)
        {
            OutputPaths.CheckDirectory("--oci-layout", layoutDir, dirs);
        }

        if (cl.Value("--report") is { } report)
        {
            OutputPaths.CheckFile("--report", report, dirs);
        }

        if (output is not null)
        {
            AtomicOutputFile.RemoveLeftovers(output);
        }

        if (layoutDir is not null && Directory.Exists(layoutDir))
        {
            LayoutStaging.RemoveLeftovers(OciLayout.Open(layoutDir));
        }
    }
}
