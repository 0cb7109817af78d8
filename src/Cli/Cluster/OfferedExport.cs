using ParallelDiff.Cli.Commands;
using ParallelDiff.Cli.Export;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// One coordinator's export as a node sees it: the command line its offers carry, parsed once, and
/// one registry session that every job of it on this node shares, as a local export's jobs share
/// theirs. A session per job cost a new connection, a ping of /v2/ and, at a registry that asks
/// for one, a token, for every snapshot (issue 14's 1-node overhead).
/// </summary>
public sealed class OfferedExport : IAsyncDisposable
{
    private readonly CommandLine _cl;
    private readonly Settings _settings;
    private readonly LayerOptions _layer;
    private readonly CompressionSettings _compression;
    private readonly ImageFields _image;
    private readonly long? _sourceDateEpoch;
    private readonly RegistrySession _session;

    private OfferedExport(CommandLine cl, Settings settings)
    {
        _cl = cl;
        _settings = settings;
        _layer = LayerArguments.Parse(cl);
        _compression = LayerArguments.Compression(cl, settings);
        _image = ImageConfigArguments.Fields(cl);
        _sourceDateEpoch = LayerArguments.SourceDateEpoch(cl);
        _session = new RegistrySession(PushArguments.Options(cl, settings));
    }

    /// <summary>An export's forwarded options (<see cref="JobOffer.Arguments"/>), read with this node's settings.</summary>
    /// <exception cref="UsageException">Options this node's version does not take.</exception>
    public static OfferedExport Parse(IReadOnlyList<string> arguments, Settings settings) =>
        new(CommandLine.ParseOptions("export", arguments, ExportCommand.Values, ExportCommand.Flags), settings);

    /// <summary>A job of this export, planned as the coordinator planned it.</summary>
    public PlannedJob Plan(ExportJob job) =>
        PlannedJob.For(job, _layer, _compression, _settings, _image, _sourceDateEpoch, config => ImageConfigArguments.Inherit(_cl, config));

    /// <summary>
    /// The shared layout of an export into one (--oci-layout), as this node sees it; null for a
    /// registry export. It must be there already, made by the coordinator: a path this node does
    /// not see would otherwise become a layout of its own that nobody reads.
    /// </summary>
    /// <exception cref="IOException">This node does not see the layout at that path.</exception>
    public Core.Oci.OciLayout? Layout(string node)
    {
        if (_cl.Value("--oci-layout") is not { } directory)
        {
            return null;
        }

        if (!File.Exists(Path.Combine(directory, "oci-layout")))
        {
            throw new IOException($"--oci-layout {directory}: no OCI layout there on node {node} (a cluster export's layout must be on storage every node mounts at the same path)");
        }

        return Core.Oci.OciLayout.Open(directory);
    }

    /// <summary>The job's push over this export's session (not closed with it); null when it has no target.</summary>
    public ExportPushes? Pushes(PlannedJob planned) => ExportPushes.Plan(_cl, [planned], _session);

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
