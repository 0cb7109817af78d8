using System.Text.Json;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Vectors;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>
/// One golden vector recreated on disk, with what the issue says each differ must produce for it.
/// </summary>
public sealed class VectorCase : IDisposable
{
    /// <summary>Where BuildKit's overlay differ is wrong and we follow the kernel: the walking tar is the truth.</summary>
    private static readonly HashSet<string> WalkingIsTruth = ["22-opaque-user-xattr-plain-copied-up", "27-hardlink-to-lower-file"];

    private readonly ScratchDirectory _scratch;

    public VectorCase(string name)
    {
        Name = name;
        _scratch = ScratchDirectory.Create("pd-vec-");
        Layers = VectorMaterializer.Materialize(name, _scratch.Path);
        using var expected = VectorData.Expected(name);
        var root = expected.RootElement;
        Supported = root.GetProperty("buildkit").GetString() == "supported";
        OverlayEqualsWalking = root.TryGetProperty("overlay_equals_walking", out var eq) && eq.ValueKind == JsonValueKind.True;
    }

    public string Name { get; }

    public MaterializedVector Layers { get; }

    public bool Supported { get; }

    public bool OverlayEqualsWalking { get; }

    public string Root => _scratch.Path;

    public OverlayOptions Overlay =>
        Layers.Snapshot.MergedMountOptions.Contains("userxattr") ? OverlayOptions.ForUserXattr : OverlayOptions.Default;

    public Snapshot Snapshot => Snapshot.OfOverlay(Layers.Upper, Layers.Lowers, Overlay);

    /// <summary>The tar the overlay differ must write byte for byte, or null where only the round trip counts.</summary>
    public byte[]? ExpectedOverlayTar() =>
        WalkingIsTruth.Contains(Name) ? VectorData.ExpectedTar(Name, "walking")
        : Supported ? VectorData.ExpectedTar(Name, "overlay") : null;

    /// <summary>The tar the walking differ must write, where BuildKit's two differs agree (or for 22 and 27).</summary>
    public byte[]? ExpectedWalkingTar() =>
        WalkingIsTruth.Contains(Name) ? VectorData.ExpectedTar(Name, "walking")
        : Supported && OverlayEqualsWalking ? VectorData.ExpectedTar(Name, "overlay") : null;

    public byte[] Export(DifferKind differ, bool exact = false) =>
        LayerTar.ToBytes(Snapshot, new LayerOptions { Differ = differ, Diff = new DiffOptions { Exact = exact } });

    public void Dispose() => _scratch.Dispose();
}
