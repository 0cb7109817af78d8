using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>
/// Our differs against BuildKit's exact output for every golden vector: byte-identical tars (same
/// diffID) wherever BuildKit works, and the walking tar for 22 and 27 where it is wrong.
/// </summary>
public sealed class VectorLayerTests
{
    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Overlay_differ_should_write_BuildKits_bytes(string vector)
    {
        using var v = new VectorCase(vector);
        var expected = v.ExpectedOverlayTar();
        var actual = v.Export(DifferKind.Overlay);
        if (expected is null)
        {
            // Unsupported by BuildKit: only the round trip counts (LayerRoundTripTests); it must still produce a tar.
            Assert.True(actual.Length >= 1024, $"{vector}: no tar written");
            return;
        }

        TarBytesAssert.Equal(expected, actual, $"{vector} overlay differ");
    }

    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Walking_differ_should_write_BuildKits_bytes_where_the_differs_agree(string vector)
    {
        using var v = new VectorCase(vector);
        var expected = v.ExpectedWalkingTar();
        var actual = v.Export(DifferKind.Walking);
        if (expected is null)
        {
            Assert.True(actual.Length >= 1024, $"{vector}: no tar written");
            return;
        }

        TarBytesAssert.Equal(expected, actual, $"{vector} walking differ");
    }
}
