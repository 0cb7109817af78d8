using ParallelDiff.Cli.Export;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Push;

/// <summary>
/// The registry side of a bulk export: where each job's image goes (its own "push", else the
/// command's --push repository tagged with the job's id), every registry connected and logged in
/// before any snapshot is read, each layer uploaded while it is written, and the images of resumed
/// jobs made sure of at the registry (HEAD finds their blobs; nothing is sent twice).
/// </summary>
public sealed class ExportPushes : IAsyncDisposable
{
    private readonly RegistrySession _session;
    private readonly Dictionary<string, ImageReference> _targets;

    /// <summary>Whether disposing these closes the session: not when it is shared with other jobs' pushes.</summary>
    private readonly bool _ownsSession;

    private ExportPushes(RegistrySession session, Dictionary<string, ImageReference> targets, bool ownsSession)
    {
        _session = session;
        _targets = targets;
        _ownsSession = ownsSession;
    }

    /// <summary>The pushes a command line and job file ask for; null when none does.</summary>
    /// <exception cref="UsageException">--push names a tag, or a target is not a reference.</exception>
    public static ExportPushes? Plan(CommandLine cl, Settings settings, IReadOnlyList<PlannedJob> jobs)
    {
        var targets = Targets(cl, jobs);
        return targets.Count == 0 ? null : new ExportPushes(new RegistrySession(PushArguments.Options(cl, settings)), targets, ownsSession: true);
    }

    /// <summary>
    /// As <see cref="Plan(CommandLine, Settings, IReadOnlyList{PlannedJob})"/>, over a session the
    /// caller keeps and closes: a cluster node's jobs of one export share one, as a local export's
    /// jobs do, instead of connecting and logging in again for each job.
    /// </summary>
    public static ExportPushes? Plan(CommandLine cl, IReadOnlyList<PlannedJob> jobs, RegistrySession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var targets = Targets(cl, jobs);
        return targets.Count == 0 ? null : new ExportPushes(session, targets, ownsSession: false);
    }

    private static Dictionary<string, ImageReference> Targets(CommandLine cl, IReadOnlyList<PlannedJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(cl);
        ArgumentNullException.ThrowIfNull(jobs);
        var repository = cl.Value("--push");
        if (repository is not null && repository[(repository.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal))
        {
            throw new UsageException($"--push {repository}: export takes REGISTRY/REPOSITORY and tags each job's image with its id (a job's \"push\" names a whole reference)");
        }

        var targets = new Dictionary<string, ImageReference>(StringComparer.Ordinal);
        foreach (var job in jobs.Select(j => j.Job))
        {
            var text = job.Push ?? (repository is null ? null : $"{repository}:{job.Id}");
            // Without a target nothing is parsed (nor the message for one spelled): a job of an export that does not push.
            if (text is not null && PushArguments.Parse(text, $"job \"{job.Id}\": push") is { } target)
            {
                targets[job.Id] = target;
            }
        }

        return targets;
    }

    /// <summary>Connects to every registry named, so that a wrong password fails the export before any work.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_targets.Values.DistinctBy(t => (t.Registry, t.Repository)).Select(t => _session.ClientAsync(t, cancellationToken)));

    public ImageReference? TargetOf(string jobId) => _targets.GetValueOrDefault(jobId);

    /// <summary>
    /// What an earlier run's journal says it pushed: a blob one repository of a registry holds is
    /// mounted into another that needs it (a job pushed elsewhere this time) instead of sent again.
    /// </summary>
    public void Remember(PushRecord pushed)
    {
        ArgumentNullException.ThrowIfNull(pushed);
        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(pushed.Reference);
        }
        catch (FormatException)
        {
            return;
        }

        foreach (var blob in pushed.Blobs)
        {
            _session.Holds(reference, blob.Digest);
        }
    }

    /// <summary>A layer's upload, to hand the exporter as its second destination.</summary>
    public async Task<LayerPush> StartLayerAsync(ImageReference target, LayerMeter? meter, CancellationToken cancellationToken) =>
        new(await _session.ClientAsync(target, cancellationToken).ConfigureAwait(false), meter, cancellationToken);

    /// <summary>Closes a streamed layer's upload and pushes its one-layer image.</summary>
    /// <param name="below">A base image's layers, stored in <paramref name="layout"/>: sent from there unless the registry has them.</param>
    public async Task<PushRecord> FinishAsync(
        ImageReference target, LayerPush push, OciLayout? layout, IReadOnlyList<LayerDescriptor> below, LayerDescriptor layer, ImageConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(below);
        if (layout is null && below.Count > 0)
        {
            throw new ArgumentException("layers under the pushed one need the layout that holds them", nameof(layout));
        }

        await push.FinishAsync(layer).ConfigureAwait(false);
        var client = await _session.ClientAsync(target, cancellationToken).ConfigureAwait(false);
        return await ImagePushes.PushAsync(_session, client, target, [.. below.Select(l => (l, Stored(layout!, l))), (layer, null)], config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The image of a job whose layer was not written in this run but taken from --cache into the
    /// layout: every blob goes up from there (what HEAD finds is not sent).
    /// </summary>
    public async Task<PushRecord> PushFromLayoutAsync(
        ImageReference target, OciLayout layout, IReadOnlyList<LayerDescriptor> below, LayerDescriptor layer, ImageConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(below);
        var client = await _session.ClientAsync(target, cancellationToken).ConfigureAwait(false);
        return await ImagePushes.PushAsync(_session, client, target, [.. below.Append(layer).Select(l => (l, Stored(layout, l)))], config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The image of a job a rerun skipped, made sure of at the registry from the layout: the same
    /// manifest bytes, what HEAD finds not sent again (a registry that lost a blob gets it back).
    /// </summary>
    public async Task<PushRecord> EnsureAsync(ImageReference target, OciLayout layout, OciDescriptor manifest, CancellationToken cancellationToken)
    {
        var client = await _session.ClientAsync(target, cancellationToken).ConfigureAwait(false);
        return await ImagePushes.PushStoredAsync(_session, client, target, layout, manifest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The manifest digest <paramref name="target"/>'s tag names at its registry; null when it names none.</summary>
    public async Task<string?> TaggedAsync(ImageReference target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var client = await _session.ClientAsync(target, cancellationToken).ConfigureAwait(false);
        return await TaggedManifest.DigestAsync(client, target.Tag, cancellationToken).ConfigureAwait(false);
    }

    private static Func<Stream>? Stored(OciLayout layout, LayerDescriptor layer) => () => File.OpenRead(layout.BlobPath(layer.Digest));

    public ValueTask DisposeAsync() => _ownsSession ? _session.DisposeAsync() : ValueTask.CompletedTask;
}
