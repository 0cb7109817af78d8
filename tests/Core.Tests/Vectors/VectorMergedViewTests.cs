using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// The kernel is the oracle: materialize a vector, mount its layers read-only exactly as
/// merged.json was recorded, and the tree seen through the mount must be merged.json, every field,
/// root and directory mtimes included. This proves the materializer, the mount helper, the tree
/// capture and the comparison together against the recorded truth.
/// </summary>
public sealed class VectorMergedViewTests
{
    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Kernel_merged_view_of_materialized_vector_should_equal_merged_json(string vector)
    {
        using var scratch = ScratchDirectory.Create("pd-vector-");
        var materialized = VectorMaterializer.Materialize(vector, Path.Combine(scratch.Path, "layers"));
        var merged = VectorMergedView.Load(vector);

        IReadOnlyList<TreeEntry> actual;
        using (var mount = OverlayMount.ReadOnly(materialized.LayersTopFirst, materialized.Snapshot.MergedMountOptions))
        {
            actual = TreeSnapshot.Capture(mount.MountPoint);
        }

        var differences = TreeComparison.Compare(merged.Entries, actual, TreeComparisonOptions.Exact);
        Assert.True(differences.Count == 0, TreeComparison.Format(differences));

        // Same names in the same order: the capture walks as the vectors were recorded.
        Assert.Equal(merged.Entries.Select(e => e.DisplayPath), actual.Select(e => e.DisplayPath));
    }
}
