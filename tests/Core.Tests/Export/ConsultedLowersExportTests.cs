using System.Text;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>
/// A snapshot read through its <see cref="Snapshot.FileSystem"/>: the differs open their trees
/// through it, so a recorder there sees the lower paths the layer depends on, and only those; the
/// layer's bytes are the same as without it.
/// </summary>
public sealed class ConsultedLowersExportTests : IDisposable
{
    private readonly ScratchDirectory _dir = ScratchDirectory.Create("pd-consulted-export-");

    public ConsultedLowersExportTests()
    {
        foreach (var dir in new[] { "lower/etc", "lower/usr/bin", "lower/usr/lib", "upper/etc", "upper/app" })
        {
            Directory.CreateDirectory(At(dir));
        }

        File.WriteAllText(At("lower/etc/os-release"), "ID=test\n");
        File.WriteAllText(At("lower/etc/app.conf"), "port=1\n");
        File.WriteAllText(At("lower/usr/bin/tool"), "tool\n");
        File.WriteAllText(At("lower/usr/lib/lib.so"), "lib\n");
        File.WriteAllText(At("upper/etc/app.conf"), "port=2\n");
        File.WriteAllText(At("upper/app/data"), "data\n");
    }

    public void Dispose() => _dir.Dispose();

    private string At(string relative) => Path.Combine(_dir.Path, relative);

    private Snapshot Snapshot => Snapshot.OfOverlay(At("upper"), [At("lower")]);

    private ConsultedLowersRecorder Recorder() =>
        new(LinuxFileSystem.Instance, [PathBytes.FromString(At("lower"))], [PathBytes.FromString(At("upper"))]);

    private static List<string> Paths(ConsultedLowersRecorder recorder)
    {
        var consulted = recorder.Finish(out var why);
        Assert.True(consulted is not null, why);
        return [.. consulted.Lowers.Single().Paths.Select(p => Encoding.UTF8.GetString(p))];
    }

    [Fact]
    public void The_overlay_differ_should_consult_only_the_lower_paths_its_upper_names()
    {
        var options = new LayerOptions { Differ = DifferKind.Overlay };
        var recorder = Recorder();
        var recorded = LayerTar.ToBytes(Snapshot with { FileSystem = recorder }, options);
        Assert.Equal(LayerTar.ToBytes(Snapshot, options), recorded);
        // app is absent below (so app/ is new), etc/app.conf present (a modification, no whiteout);
        // os-release and usr are never looked at.
        Assert.Equal(["", "app", "etc", "etc/app.conf"], Paths(recorder));
    }

    [Fact]
    public void The_walking_differ_should_consult_the_whole_lower()
    {
        var options = new LayerOptions { Differ = DifferKind.Walking };
        var recorder = Recorder();
        var recorded = LayerTar.ToBytes(Snapshot with { FileSystem = recorder }, options);
        Assert.Equal(LayerTar.ToBytes(Snapshot, options), recorded);
        Assert.Equal(["", "etc", "etc/app.conf", "etc/os-release", "usr", "usr/bin", "usr/bin/tool", "usr/lib", "usr/lib/lib.so"], Paths(recorder));
    }
}
