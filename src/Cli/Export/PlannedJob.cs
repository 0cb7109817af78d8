using System.Runtime.CompilerServices;
using ParallelDiff.Actors;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli.Export;

/// <summary>A job with its effective layer settings (the command's, overridden by the job's own) and their fingerprint.</summary>
/// <param name="BuildImage">Makes the job's image config: the command's flags with the job's own keys over them (checked when the job was planned).</param>
/// <param name="Base">The image the job's image is built on ("base"), its layers first; null for a one-layer image.</param>
public sealed record PlannedJob(ExportJob Job, LayerOptions Layer, CompressionSettings Compression, string Fingerprint, Func<ImageConfig> BuildImage, BaseImage? Base = null)
{
    /// <summary>
    /// The job's image config, made when asked (once, by the job's export) rather than kept from
    /// planning: a thousand configs, each with its own history line, were a third of what planning
    /// kept for a warm export of 1,000 snapshots, and every collection of the run copied them.
    /// </summary>
    public ImageConfig Image => BuildImage();

    /// <summary>
    /// The job's source as its report says it (<see cref="SnapshotSource.Describe"/>), spelled once
    /// when the job is planned (its image's history says it too) rather than again for its report.
    /// </summary>
    public required string Source { get; init; }

    /// <summary>
    /// The job's snapshot. One that cannot be resolved (a missing upper) counts as a failed layer in
    /// the telemetry, as the library counts one it cannot open: the counters agree with the report.
    /// </summary>
    public Snapshot ResolveSnapshot()
    {
        try
        {
            return Resolved();
        }
        catch (Exception e)
        {
            LayerRecording.Unresolved(Job.Source.Upper ?? Job.Source.To ?? Job.Source.Describe(), Layer.Differ, Compression.Kind, e);
            throw;
        }
    }

    /// <summary>
    /// The job's snapshot, resolved the first time it is asked for and kept: the output check resolves
    /// every job before anything is written, and the export then uses the very directories that check
    /// saw. Resolving "mount-options", "docker-layer" or "mount-json" reads files (sysfs, the layer's
    /// lower file, the JSON), and read twice they could give two answers. A source that cannot be
    /// resolved is not kept: each ask fails again with its cause.
    /// </summary>
    /// <exception cref="SnapshotException">The source cannot be resolved (see <see cref="SnapshotSource.Resolve"/>).</exception>
    public Snapshot Resolved()
    {
        // Two threads asking at once both resolve; either result is the same snapshot.
        if (Volatile.Read(ref _resolved) is { } resolved)
        {
            return resolved;
        }

        resolved = Job.Source.Resolve();
        Volatile.Write(ref _resolved, resolved);
        return resolved;
    }

    private Snapshot? _resolved;

    /// <summary>The base image's layers ("base"), copied into <paramref name="layout"/> where it lacks them (checked by digest); bottom first, empty without a base.</summary>
    public IReadOnlyList<LayerDescriptor> StoreBaseLayers(OciLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (Base is null)
        {
            return [];
        }

        foreach (var baseLayer in Base.Layers)
        {
            if (!layout.HasBlob(baseLayer.Digest))
            {
                layout.AddBlobFile(Base.Layout.BlobPath(baseLayer.Digest), baseLayer.Digest);
            }
        }

        return Base.Layers;
    }

    // A job without image keys has the command's fields, the very same object: described once a
    // run rather than once a job (a thousand identical texts were a tenth of planning's CPU).
    private static readonly ConditionalWeakTable<ImageFields, string> Described = new();

    // The settings text of each field set with each layer setting: jobs without keys of their own
    // share the command's objects, and each made the same few hundred characters anew. Kept only as
    // long as its field set is.
    private static readonly ConditionalWeakTable<ImageFields, System.Collections.Concurrent.ConcurrentDictionary<(CompressionSettings Compression, LayerOptions Layer), string>> SettingsOf = new();

    // The field sets whose config has been made once (and so checked) at planning; the config
    // itself is not kept (a job with image keys of its own has a field set of its own).
    private static readonly ConditionalWeakTable<ImageFields, object> Checked = new();
    private static readonly object Made = new();

    /// <summary>Applies a job's overrides to the command's settings.</summary>
    /// <exception cref="JobListException">The job names an unknown compression or differ, or a level out of range.</exception>
    /// <param name="commandImage">The command's image flags (--cmd, --env, …).</param>
    /// <param name="sourceDateEpoch">The command's --source-date-epoch or $SOURCE_DATE_EPOCH.</param>
    /// <param name="inherit">--config-from applied to a config (the identity without it).</param>
    public static PlannedJob For(
        ExportJob job, LayerOptions commandLayer, CompressionSettings commandCompression, Settings settings, ImageFields commandImage, long? sourceDateEpoch, Func<ImageConfig, ImageConfig> inherit)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(commandLayer);
        ArgumentNullException.ThrowIfNull(commandCompression);
        try
        {
            // A job that names its compression but no level gets that compression's default level,
            // not a level the command chose for another compression.
            var compression = job.Compression is { } name
                ? LayerArguments.Compression(name, job.Level, settings)
                : job.Level is { } level ? LayerArguments.Compression(commandCompression.Kind.ToName(), level, settings) : commandCompression;
            var layer = job.Differ is { } differ ? commandLayer with { Differ = LayerArguments.Differ(differ) } : commandLayer;
            // The image's settings are part of the fingerprint: a rerun with another --cmd redoes the job's image.
            var fields = commandImage.Over(job.Image);
            ArgumentNullException.ThrowIfNull(inherit);
            var source = job.Source.Describe();
            var baseImage = job.Base is var (layout, tag) ? ReadBase(job, layout, tag) : null;
            ImageConfig BuildImage()
            {
                var image = inherit(ImageConfigArguments.Build(fields, [$"paralleldiff export {source}"], sourceDateEpoch));
                return baseImage?.Under(image, platformGiven: fields.Platform is not null) ?? image;
            }

            // Made once now for each distinct set of fields (the command's, shared by every job
            // without image keys of its own, or a job's own), so that a bad --env or a job's bad
            // "platform" is refused before anything runs, as when every config was kept.
            Checked.GetValue(fields, _ =>
            {
                BuildImage();
                return Made;
            });
            var settingsText = SettingsOf.GetValue(fields, static _ => new())
                .GetOrAdd((compression, layer), static (key, fields) => $"{SettingsText.Of(key.Compression, key.Layer)} {Described.GetValue(fields, static f => f.Describe())}", fields);
            if (baseImage is not null)
            {
                settingsText += $" base={string.Join(',', baseImage.Layers.Select(l => l.Digest))}";
            }

            return new PlannedJob(job, layer, compression, job.Fingerprint(settingsText), BuildImage, baseImage)
            {
                Source = source,
            };
        }
        catch (UsageException e)
        {
            throw new JobListException($"job \"{job.Id}\": {e.Message}", e);
        }
    }

    private static BaseImage ReadBase(ExportJob job, string layout, string tag)
    {
        if (!File.Exists(Path.Combine(layout, "oci-layout")))
        {
            throw new JobListException($"job \"{job.Id}\": \"base\" {layout}: not an OCI layout");
        }

        try
        {
            return BaseImage.Read(OciLayout.Open(layout), tag);
        }
        catch (InvalidDataException e)
        {
            throw new JobListException($"job \"{job.Id}\": \"base\": {e.Message}", e);
        }
    }
}
