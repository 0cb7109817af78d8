using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>The materialized layers, read back raw, are exactly the layers snapshot.json describes.</summary>
public sealed class VectorMaterializerTests
{
    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Materialized_layers_should_equal_snapshot_json(string vector)
    {
        using var scratch = ScratchDirectory.Create("pd-vector-");
        var materialized = VectorMaterializer.Materialize(vector, Path.Combine(scratch.Path, "layers"));
        var snapshot = materialized.Snapshot;

        Assert.Equal(snapshot.Lowers.Count, materialized.Lowers.Count);
        var differences = new List<TreeDifference>();
        for (var i = 0; i < snapshot.Lowers.Count; i++)
        {
            differences.AddRange(VectorLayerComparison.Compare(snapshot.Lowers[i].Entries, materialized.Lowers[i])
                .Select(d => d with { Path = snapshot.Lowers[i].Name + ": " + d.Path }));
        }

        differences.AddRange(VectorLayerComparison.Compare(snapshot.Upper.Entries, materialized.Upper)
            .Select(d => d with { Path = "upper: " + d.Path }));
        Assert.True(differences.Count == 0, TreeComparison.Format(differences));
    }

    [RootFact]
    public void Materialize_should_refuse_a_destination_that_is_not_empty()
    {
        using var scratch = ScratchDirectory.Create("pd-vector-");
        File.WriteAllText(Path.Combine(scratch.Path, "stray"), "x");
        Assert.Throws<IOException>(() => VectorMaterializer.Materialize("01-new-file-in-existing-dir", scratch.Path));
    }
}
