using ParallelDiff.Core.Tests.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// Every golden vector as zstd:chunked and eStargz (issue 15): zstd:chunked keeps plain zstd's
/// diffID, containers/storage's and stargz-snapshotter's readers accept both and find every file's
/// digest, and both apply to the same tree as the plain layer.
/// </summary>
public sealed class LazyPullVectorTests
{
    [RootWithGoTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Lazy_pull_layers_of_every_vector_should_pass_their_readers_and_keep_the_diffID(string vector)
    {
        using var v = new VectorCase(vector);
        var scratch = Path.Combine(v.Root, "lazy");
        Directory.CreateDirectory(scratch);
        LazyPullLayers.Check(v.Snapshot, Core.Layers.LayerOptions.Default, scratch);
    }
}
