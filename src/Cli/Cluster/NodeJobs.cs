using System.Text;
using System.Text.Json;
using ParallelDiff.Cli.Commands;
using ParallelDiff.Cli.Export;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// A node's side of a job: plans it from the offer as the coordinator planned it (the same job
/// JSON, the same image-shaping options) and exports it with the same engine and code as a local
/// export: pushed (<see cref="PushedJob"/>), or written into the shared layout
/// (<see cref="LayoutJob"/>), so the image's digests do not depend on which node ran it. At most <c>slots</c> run at once; further offers wait for a slot. The jobs of one
/// coordinator's export share its parsed options and registry session (<see cref="OfferedExport"/>)
/// until that coordinator leaves the cluster.
/// </summary>
public sealed class NodeJobs(string node, Settings settings, ILayerWriter writer, IExportProgress progress, TextWriter log, int slots, int parallelism) : IAsyncDisposable
{
    private readonly SemaphoreSlim _slots = new(slots, slots);
    private readonly OfferedExports _exports = new(settings);

    /// <param name="coordinator">The offering coordinator's address: its jobs share an <see cref="OfferedExport"/> until <see cref="ForgetAsync"/>.</param>
    public async Task<JobOutcome> RunAsync(JobOffer offer, string coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        OfferedExport? export = null;
        try
        {
            export = _exports.Acquire(coordinator, offer.Arguments);
            var job = ExportJobList.Parse("[" + offer.Job + "]", $"job \"{offer.JobId}\"", offer.BaseDirectory)[0];
            var planned = export.Plan(job);
            if (export.Layout(node) is { } layout)
            {
                var written = await LayoutJob.ExportAsync(planned, writer, progress, layout, parallelism, cancellationToken).ConfigureAwait(false);
                return Outcome(written.Report with { Node = node });
            }

            await using var pushes = export.Pushes(planned) ?? throw new UsageException($"job \"{offer.JobId}\" has no push target");
            await pushes.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var entry = await PushedJob.ExportAsync(planned, writer, progress, pushes, parallelism, cancellationToken).ConfigureAwait(false);
            return Outcome(entry.Report with { Node = node });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // A job that cannot even be planned here (another version's options, a bad base) is its own failure.
            var report = SnapshotReport.Failed(offer.JobId, source: null, clock.Elapsed.TotalSeconds, e) with { Node = node };
            return Outcome(report);
        }
        finally
        {
            if (export is not null)
            {
                await _exports.ReleaseAsync(export).ConfigureAwait(false);
            }

            _slots.Release();
        }
    }

    /// <summary>The coordinator at <paramref name="coordinator"/> left: its exports' sessions close once their running jobs end.</summary>
    public Task ForgetAsync(string coordinator) => _exports.ForgetAsync(coordinator);

    public async ValueTask DisposeAsync()
    {
        await _exports.DisposeAsync().ConfigureAwait(false);
        _slots.Dispose();
    }

    private JobOutcome Outcome(SnapshotReport report)
    {
        log.WriteLine(report.Status == SnapshotStatus.Failed
            ? $"node {node}: {report.Id} failed: {report.Error}"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"node {node}: {report.Id} {report.Push?.ManifestDigest ?? report.Manifest?.Digest} {report.Seconds:0.00} s"));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            report.WriteTo(json);
        }

        return new JobOutcome(report.Id, node, Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
