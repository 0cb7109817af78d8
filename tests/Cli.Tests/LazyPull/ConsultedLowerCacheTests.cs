using System.Text.Json;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// A warm `export --cache` relies on the lower paths the differ consulted, not on the whole lower
/// (issue 15): a change elsewhere in the lower still hits, a change at a consulted path misses, on
/// the sequential path and on the actor path alike; and a lower that changes while the export reads
/// it leaves nothing in the cache. Every layout equals one written without a cache.
/// </summary>
public sealed class ConsultedLowerCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-consulted-cache-").FullName;

    public ConsultedLowerCacheTests()
    {
        foreach (var dir in new[] { "lower/etc", "lower/usr/bin", "upper/etc", "upper/app" })
        {
            Directory.CreateDirectory(At(dir));
        }

        File.WriteAllText(At("lower/etc/os-release"), "ID=test\n");
        File.WriteAllText(At("lower/etc/app.conf"), "port=1\n");
        File.WriteAllText(At("lower/usr/bin/tool"), "tool\n");
        File.WriteAllText(At("upper/etc/app.conf"), "port=2\n");
        File.WriteAllText(At("upper/app/data"), "data\n");
    }

    public void Dispose() => SystemTool.Run("rm", "-rf", _root);

    private string At(string relative) => Path.Combine(_root, relative);

    private string Cache => At("cache");

    private string Export(string layout, string config, params string[] extra)
    {
        var jobs = At("jobs.json");
        File.WriteAllText(jobs, JsonSerializer.Serialize(new[] { new Dictionary<string, string> { ["id"] = "job", ["upper"] = At("upper"), ["lower"] = At("lower") } }));
        var report = At(layout + ".report.json");
        var result = CliRunner.Run(["export", "--jobs", jobs, "--oci-layout", At(layout), "--compression", "zstd", "--created", "none", "--config", config, "--report", report, .. extra]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var snapshot = json.RootElement.GetProperty("snapshots")[0];
        return snapshot.TryGetProperty("cache", out var cache) ? cache.GetString()! : "miss";
    }

    [Theory]
    [InlineData("paralleldiff.pipeline { actor-threshold-entries = 1000000, actor-threshold-bytes = 1 GiB }")]
    [InlineData(ActorPathTests.Actors)]
    public void A_lower_change_where_the_differ_did_not_look_should_hit_and_one_where_it_looked_should_miss(string thresholds)
    {
        var config = At("path.conf");
        File.WriteAllText(config, thresholds + "\n");
        Assert.Equal("miss", Export("cold", config, "--cache", Cache));
        var consulted = CacheRecords.Read(Cache).Single().PathsUnder(At("lower"));
        // The overlay differ looked up what the upper names: app (absent below), etc, etc/app.conf.
        Assert.Equal(["", "app", "etc", "etc/app.conf"], consulted);

        File.WriteAllText(At("lower/etc/os-release"), "ID=other\n");
        File.SetUnixFileMode(At("lower/usr/bin/tool"), UnixFileMode.UserRead);
        File.WriteAllText(At("lower/usr/new"), "new\n");
        Assert.Equal("hit", Export("unconsulted", config, "--cache", Cache));
        Export("plain-unconsulted", config);
        LayoutBytes.AssertEqual(At("plain-unconsulted"), At("unconsulted"));

        File.SetUnixFileMode(At("lower/etc/app.conf"), UnixFileMode.UserRead);
        Assert.Equal("miss", Export("consulted", config, "--cache", Cache));
        Export("plain-consulted", config);
        LayoutBytes.AssertEqual(At("plain-consulted"), At("consulted"));
    }

    [Fact]
    public async Task A_lower_changed_while_the_export_reads_it_should_not_be_kept()
    {
        var cache = LayerCache.Open(Cache, 1L << 30, 1L << 20, 64 * 1024);
        var layout = OciLayout.Open(At("layout"));
        var warnings = new List<string>();
        var request = new LayerWriteRequest(Snapshot.OfOverlay(At("upper"), [At("lower")]), LayerOptions.Default, CompressionSettings.For(LayerCompression.Zstd), string.Empty)
        {
            Warn = warnings.Add,
        };
        var cached = new CachedLayers(cache);

        // The lower's etc changes after the differ looked at it and before the export ends.
        await using var changing = new SequentialWriter(() => File.SetUnixFileMode(At("lower/etc"), UnixFileMode.UserRead | UnixFileMode.UserExecute));
        var (_, _, fromCache) = await cached.ExportAsync(changing, layout, request, null, CancellationToken.None);
        Assert.False(fromCache);
        Assert.Contains(warnings, w => w.Contains("lower/etc changed while it was read", StringComparison.Ordinal));
        Assert.Empty(CacheRecords.Read(Cache));

        // Nothing was kept, so the next export reads the snapshot; the one after takes its layer.
        await using var steady = new SequentialWriter(() => { });
        Assert.False((await new CachedLayers(cache).ExportAsync(steady, layout, request, null, CancellationToken.None)).FromCache);
        Assert.True((await new CachedLayers(cache).ExportAsync(steady, layout, request, null, CancellationToken.None)).FromCache);
    }

    /// <summary>Writes the layer on the calling thread with Core's sequential exporter, then runs <paramref name="after"/>.</summary>
    private sealed class SequentialWriter(Action after) : ILayerWriter
    {
        public void Prepare(LayerWriteRequest request)
        {
        }

        public Task<LayerExportResult> WriteAsync(LayerWriteRequest request, CancellationToken cancellationToken)
        {
            var result = SequentialLayerExporter.Export(request.Snapshot, request.Layer, request.Compression, request.OutputPath, request.Warn, cancellationToken, request.DurableOutput);
            after();
            return Task.FromResult(result);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
