using System.Text.Json;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Vectors;
using Xunit;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>
/// Our layers against the kernel: for every vector, including those BuildKit cannot do (39, 41,
/// 58, 60, 61), our layer applied onto the flattened lowers equals the kernel's merged view.
/// </summary>
public sealed class LayerRoundTripTests
{
    /// <summary>BuildKit's nanosecond rule misses these rewrites; --exact must not.</summary>
    private static readonly HashSet<string> NeedsExact = ["09-update-with-same-time", "10-nanosecond-rule", "12-symlink-retarget"];

    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Overlay_differ_layer_should_round_trip_to_the_merged_view(string vector) =>
        RoundTrip(vector, DifferKind.Overlay, NeedsExact.Contains(vector));

    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Walking_differ_layer_should_round_trip_to_the_merged_view(string vector) =>
        RoundTrip(vector, DifferKind.Walking, NeedsExact.Contains(vector));

    [RootTheory]
    [InlineData("09-update-with-same-time")]
    [InlineData("10-nanosecond-rule")]
    [InlineData("12-symlink-retarget")]
    public void Default_nanosecond_rule_should_miss_what_the_vector_says(string vector)
    {
        // The default keeps BuildKit's rule for byte identity: these three do not round trip without --exact.
        var differences = Apply(vector, DifferKind.Overlay, exact: false, out _);
        Assert.NotEmpty(differences);
    }

    private static void RoundTrip(string vector, DifferKind differ, bool exact)
    {
        var differences = Apply(vector, differ, exact, out var options);
        if (vector.StartsWith("42-", StringComparison.Ordinal))
        {
            // A user file literally named .wh.* is read as a whiteout by every consumer: only
            // the paths the reference applier also lost may differ.
            using var expected = VectorData.Expected(vector);
            var allowed = expected.RootElement.GetProperty("roundtrip").GetProperty("overlay").GetProperty("differences")
                .EnumerateArray().Select(d => d.GetString()!.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
            differences = differences.Where(d => !allowed.Contains(d.Path)).ToList();
        }

        Assert.True(differences.Count == 0, $"{vector} ({differ}{(exact ? ", exact" : "")}, {options}):\n{TreeComparison.Format(differences)}");
    }


    private static List<TreeDifference> Apply(string vector, DifferKind differ, bool exact, out string options)
    {
        using var v = new VectorCase(vector);
        var tar = v.Export(differ, exact);
        var dest = Path.Combine(v.Root, "applied");
        Directory.CreateDirectory(dest);
        LowerFlattener.Flatten(v.Layers.Lowers, v.Layers.Snapshot.MergedMountOptions, dest);
        LayerApplier.Apply(new MemoryStream(tar), dest, new ApplyOptions { ExactTimes = true });

        // Sockets (30) cannot travel in a layer; .wh.* user names (42) are read as whiteouts.
        var compare = vector.StartsWith("30-", StringComparison.Ordinal) || vector.StartsWith("16-", StringComparison.Ordinal) || vector.StartsWith("42-", StringComparison.Ordinal)
            ? TreeComparisonOptions.LayerExpressible
            : TreeComparisonOptions.Default;
        options = compare == TreeComparisonOptions.Default ? "default comparison" : "sockets and .wh. names ignored";
        var expected = VectorMergedView.Load(vector).Entries;

        // A socket that replaced a lower file leaves that file behind in every consumer (spec §9 #28).
        var sockets = expected.Where(e => e.Type == TreeEntryType.Socket).Select(e => e.Path).ToHashSet(Core.Fs.ByteArrayComparer.Instance);
        var actual = TreeSnapshot.Capture(dest).Where(e => !sockets.Contains(e.Path)).ToList();
        return TreeComparison.Compare(expected, actual, compare).ToList();
    }
}
