using System.Diagnostics;
using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>
/// The "ParallelDiff" meter and activity source as a host's listener sees them during exports on
/// both paths (small uppers written sequentially, bigger ones by the actors), through each entry
/// point: every layer counted once, the bytes equal to the blobs written, one activity per layer
/// naming its blob's digest, and the read-ahead in use never above its bound.
/// </summary>
[Collection(Telemetry.Name)]
public sealed class TelemetryTests : IClassFixture<EngineFixture>
{
    private const int BlockSize = 64 * 1024;
    private static readonly CompressionSettings Gzip = CompressionSettings.For(LayerCompression.Gzip, blockSize: BlockSize);
    private readonly ExportEngine _engine;

    public TelemetryTests(EngineFixture fixture) => _engine = fixture.Engine;

    [Fact]
    public async Task Instruments_should_count_every_layer_once_with_its_blob_size_and_one_activity()
    {
        using var small1 = GeneratedSnapshot.Create(topDirectories: 1, bigEntries: 0);
        using var small2 = GeneratedSnapshot.Create(topDirectories: 2, bigEntries: 0);
        using var big1 = GeneratedSnapshot.Create(fileBytes: 32 * 1024);
        using var big2 = GeneratedSnapshot.Create(topDirectories: 30, fileBytes: 48 * 1024);
        using var output = new OutputDirectory();
        var missing = Snapshot.OfOverlay(Path.Combine(output.Path, "no-such-upper"), [small1.Lower]);
        var lazy = new Lazy<ExportEngine>(() => _engine);
        using var telemetry = new TelemetryRecorder();

        // The observable instruments sampled as a scraper would, all through the exports.
        var samples = new List<IReadOnlyDictionary<string, double>>();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                samples.Add(telemetry.Observe());
                await Task.Delay(1);
            }
        });

        var exports = new[]
        {
            (small1.Snapshot, _engine.ExportAsync(small1.Snapshot, Options(output, "small1"))),
            (big1.Snapshot, _engine.ExportAsync(big1.Snapshot, Options(output, "big1"))),
            (small2.Snapshot, LayerExporter.ExportAsync(small2.Snapshot, Options(output, "small2"), lazy)),
            (big2.Snapshot, LayerExporter.ExportAsync(big2.Snapshot, Options(output, "big2"), lazy)),
        };
        var results = await Task.WhenAll(exports.Select(e => e.Item2));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => _engine.ExportAsync(missing, Options(output, "missing")));
        await stop.CancelAsync();
        await sampler;
        var after = telemetry.Observe();

        // Both paths ran: the small uppers below the actor threshold, the big ones above it.
        Assert.True(LayerExporter.IsSmall(small1.Snapshot, Options(output, "x")));
        Assert.False(LayerExporter.IsSmall(big1.Snapshot, Options(output, "x")));

        Assert.Equal(5, Sum(telemetry.Of("paralleldiff.layers.started", "{layer}")));
        var done = telemetry.Of("paralleldiff.layers.done", "{layer}");
        Assert.Equal(4, Sum(done));
        Assert.All(done, m => Assert.Equal("overlay", m.Tag("paralleldiff.differ")));
        var failed = Assert.Single(telemetry.Of("paralleldiff.layers.failed", "{layer}"));
        Assert.Equal(1, failed.Value);
        Assert.Equal(failure.GetType().FullName, failed.Tag("error.type"));

        // Bytes: the blobs as written on disk, the file data as the results say.
        var sizes = results.Select(r => r.Descriptor.Size).Order().ToList();
        Assert.Equal(sizes, exports.Select((_, i) => new FileInfo(output.File(new[] { "small1", "big1", "small2", "big2" }[i])).Length).Order());
        Assert.Equal(sizes, telemetry.Of("paralleldiff.blob.written", "By").Select(m => (long)m.Value).Order());
        Assert.Equal(results.Sum(r => r.Tar.DataBytes), Sum(telemetry.Of("paralleldiff.data.read", "By")));
        Assert.True(results.Sum(r => r.Tar.DataBytes) > 10_000_000, "the big snapshots hold megabytes of file data");
        var ratios = telemetry.Of("paralleldiff.layer.compression_ratio", "1").Select(m => m.Value).Order().ToList();
        Assert.Equal(results.Select(r => (double)r.TarBytes / r.Descriptor.Size).Order(), ratios);
        Assert.All(ratios, r => Assert.True(r > 1, $"gzip ratio {r}"));

        var durations = telemetry.Of("paralleldiff.layer.duration", "s");
        Assert.Equal(5, durations.Count);
        Assert.All(durations, m => Assert.InRange(m.Value, 1e-6, 120));
        Assert.Equal(failure.GetType().FullName, Assert.Single(durations, m => m.Tag("error.type") is not null).Tag("error.type"));

        // One activity per layer: the written ones name their blob, the failed one its error.
        var activities = telemetry.Activities;
        Assert.Equal(5, activities.Count);
        Assert.All(activities, a => Assert.Equal("paralleldiff.layer", a.OperationName));
        foreach (var (snapshot, result) in exports.Select((e, i) => (e.Item1, results[i])))
        {
            var activity = Assert.Single(activities, a => (string?)a.GetTagItem("paralleldiff.snapshot") == snapshot.Upper);
            Assert.Equal(result.Descriptor.Digest, activity.GetTagItem("paralleldiff.layer.digest"));
            Assert.Equal(result.Descriptor.DiffId, activity.GetTagItem("paralleldiff.layer.diff_id"));
            Assert.Equal(result.Descriptor.Size, activity.GetTagItem("paralleldiff.layer.size"));
            Assert.Equal("overlay", activity.GetTagItem("paralleldiff.differ"));
            Assert.Equal("gzip", activity.GetTagItem("paralleldiff.compression"));
            Assert.Equal(ActivityStatusCode.Unset, activity.Status);
        }

        var failedActivity = Assert.Single(activities, a => (string?)a.GetTagItem("paralleldiff.snapshot") == missing.Upper);
        Assert.Equal(ActivityStatusCode.Error, failedActivity.Status);
        Assert.Equal(failure.GetType().FullName, failedActivity.GetTagItem("error.type"));
        Assert.Null(failedActivity.GetTagItem("paralleldiff.layer.digest"));

        // The read-ahead: in use while the actor path ran, never above the bound of the layers
        // running then (each pipeline.read-ahead-bytes in whole blocks), and nothing once all ended.
        var perLayer = (long)ExportSettings.Resolve(Options(output, "x")).Pipeline.BlocksInFlight(BlockSize) * BlockSize;
        Assert.Contains(samples, s => s["paralleldiff.read_ahead.usage"] > 0);
        Assert.All(samples, s => Assert.InRange(s["paralleldiff.read_ahead.usage"], 0, s["paralleldiff.read_ahead.limit"]));
        Assert.All(samples, s => Assert.Contains(s["paralleldiff.read_ahead.limit"], new double[] { 0, perLayer, 2 * perLayer }));
        Assert.Equal(0, after["paralleldiff.read_ahead.usage"]);
        Assert.Equal(0, after["paralleldiff.read_ahead.limit"]);
    }

    [Fact]
    public async Task A_cancelled_layer_should_count_as_failed_and_leave_no_activity_open()
    {
        using var big = GeneratedSnapshot.Create();
        using var output = new OutputDirectory();
        using var telemetry = new TelemetryRecorder();
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.ShardsDone >= 1)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _engine.ExportAsync(big.Snapshot, Options(output, "layer") with { ShardMaxEntries = 1 }, progress, cancel.Token));

        Assert.Equal(1, Sum(telemetry.Of("paralleldiff.layers.started", "{layer}")));
        Assert.Empty(telemetry.Of("paralleldiff.layers.done", "{layer}"));
        Assert.Empty(telemetry.Of("paralleldiff.blob.written", "By"));
        Assert.Equal(1, Sum(telemetry.Of("paralleldiff.layers.failed", "{layer}")));
        var activity = Assert.Single(telemetry.Activities);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(0, telemetry.Observe()["paralleldiff.read_ahead.limit"]);
    }

    private static ExportOptions Options(OutputDirectory output, string name) => new()
    {
        OutputPath = output.File(name),
        Compression = Gzip,
        Parallelism = 2,
    };

    private static long Sum(IEnumerable<TelemetryRecorder.Measurement> measurements) => (long)measurements.Sum(m => m.Value);
}
