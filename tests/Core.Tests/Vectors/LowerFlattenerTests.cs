using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>The flattened base tree is an exact copy of the kernel's merged view of the lowers.</summary>
public sealed class LowerFlattenerTests
{
    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Flattened_lowers_should_equal_the_kernel_view_of_the_lowers(string vector)
    {
        using var scratch = ScratchDirectory.Create("pd-flatten-");
        var materialized = VectorMaterializer.Materialize(vector, Path.Combine(scratch.Path, "layers"));
        var options = materialized.Snapshot.MergedMountOptions;
        var dest = Path.Combine(scratch.Path, "base");
        LowerFlattener.Flatten(materialized.Lowers, options, dest);

        var flattened = TreeSnapshot.Capture(dest);
        if (materialized.Lowers.Count == 0)
        {
            Assert.Single(flattened);
            return;
        }

        using var mount = OverlayMount.ReadOnly(materialized.Lowers, options);
        var differences = TreeComparison.Compare(TreeSnapshot.Capture(mount.MountPoint), flattened, TreeComparisonOptions.Exact).ToList();

        // Every xattr the view shows, and no other: the view hides trusted.overlay.* (and, with
        // userxattr, user.overlay.*), so none of the lowers' bookkeeping reaches the base tree.
        foreach (var walked in TreeWalk.Walk(dest, skipVanished: false))
        {
            var inView = PathBytes.Under(PathBytes.FromString(mount.MountPoint), walked.IsRoot ? [] : walked.RelativePath);
            var want = Xattrs(inView);
            var got = Xattrs(walked.FullPath);
            if (want != got)
            {
                differences.Add(new TreeDifference(PathBytes.Display(walked.RelativePath), "xattrs", want, got));
            }
        }

        Assert.True(differences.Count == 0, TreeComparison.Format(differences));
    }

    private static string Xattrs(byte[] path)
    {
        var fs = LinuxFileSystem.Instance;
        return string.Join(", ", fs.ListXattrs(path).Order(StringComparer.Ordinal).Select(n => n + "=" + Convert.ToBase64String(fs.GetXattr(path, n) ?? [])));
    }
}
