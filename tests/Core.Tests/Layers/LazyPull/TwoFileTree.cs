using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// The frame cache tests' upper: big.bin (five frames of 64 KiB blocks) and small.txt, both with one
/// fixed mtime, so that two trees made alike are the same layer, TOC and tar-split included.
/// </summary>
internal static class TwoFileTree
{
    public static readonly DateTime When = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    /// <summary>300,000 bytes of a pattern that compresses well.</summary>
    public static byte[] Pattern() => [.. Enumerable.Range(0, 300_000).Select(i => (byte)(i * 13 % 241))];

    /// <summary>300,000 bytes of noise, which does not compress.</summary>
    public static byte[] Noise()
    {
        var data = new byte[300_000];
        new Random(11).NextBytes(data);
        return data;
    }

    /// <summary>Makes <paramref name="upper"/> (created) with big.bin holding <paramref name="big"/>; its diff as an overlay upper with no lower.</summary>
    public static SnapshotDiff Make(string upper, byte[] big, string small = "small\n")
    {
        Directory.CreateDirectory(upper);
        File.WriteAllBytes(Path.Combine(upper, "big.bin"), big);
        File.WriteAllText(Path.Combine(upper, "small.txt"), small);
        File.SetLastWriteTimeUtc(Path.Combine(upper, "big.bin"), When);
        File.SetLastWriteTimeUtc(Path.Combine(upper, "small.txt"), When);
        return SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
    }
}
