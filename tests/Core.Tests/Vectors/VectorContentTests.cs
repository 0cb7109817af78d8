using System.Globalization;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>The JSON side, without root: the vectors parse, and every content spec decodes to its recorded bytes.</summary>
public sealed class VectorContentTests
{
    [Theory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Every_content_spec_should_decode_to_its_recorded_size_and_sha256(string vector)
    {
        var snapshot = VectorSnapshot.Load(vector);
        foreach (var entry in snapshot.Lowers.Append(snapshot.Upper).SelectMany(l => l.Entries).Where(e => e.Type == TreeEntryType.File))
        {
            Assert.NotNull(entry.Content);
            Assert.Equal(entry.Size, entry.Content.Size);
            Assert.Equal(entry.Sha256, entry.Content.Sha256Hex());
        }
    }

    [Theory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Snapshot_and_merged_json_should_agree_on_name_and_mount_options(string vector)
    {
        var snapshot = VectorSnapshot.Load(vector);
        var merged = VectorMergedView.Load(vector);

        Assert.Equal(vector, snapshot.Name);
        Assert.Equal(vector, merged.Name);
        Assert.Equal(snapshot.MergedMountOptions, merged.MountOptions);
        Assert.True(merged.Entries[0].IsRoot);
        Assert.True(snapshot.Upper.Entries[0].IsRoot);
    }

    [Fact]
    public void Names_and_times_should_parse_exactly()
    {
        var names = VectorSnapshot.Load("46-invalid-utf8-names").Upper.Entries;
        byte[] bad = [(byte)'b', (byte)'a', (byte)'d', (byte)'-', 0xff, 0xfe];
        Assert.Contains(names, e => e.Path.AsSpan().SequenceEqual(bad));
        Assert.Contains(names, e => e.Type == TreeEntryType.Symlink && e.Target!.AsSpan().SequenceEqual(Convert.FromBase64String("/y10YXJnZXQ=")));

        // mtime_ns beyond a double's 53-bit mantissa keeps its last digit.
        var upper = VectorSnapshot.Load("17-opaque-dir-trusted").Upper.Entries;
        Assert.Equal(1654787931848949457L, upper[0].MtimeNs);

        // Past 2262 (long's end) and before 1970.
        var edges = VectorSnapshot.Load("50-mtime-edge-values").Upper.Entries.Select(e => e.MtimeNs).ToList();
        Assert.Contains(Int128.Parse("10413792000500000000", CultureInfo.InvariantCulture), edges);
        Assert.Contains(-1_500_000_000, edges);
    }

    [Fact]
    public void Sparse_content_should_keep_its_holes_and_size()
    {
        var sparse = VectorSnapshot.Load("56-sparse-file").Upper.Entries.Single(e => e.DisplayPath == "sparse").Content!;
        Assert.True(sparse.IsSparse);
        Assert.Equal(2097252, sparse.Size);
        Assert.Equal([0L, 1048576L, 2097152L], sparse.Extents.Select(x => x.Offset));

        var dense = VectorSnapshot.Load("56-sparse-file").Upper.Entries.Single(e => e.DisplayPath == "lower-sparse").Content!;
        Assert.False(dense.IsSparse);
    }
}
