using System.Text;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>Capture of a small real tree, without root: walk order, file facts and link groups.</summary>
public sealed class TreeSnapshotTests
{
    [Fact]
    public void Capture_should_walk_byte_sorted_pre_order_with_file_facts_and_link_groups()
    {
        using var scratch = ScratchDirectory.Create("pd-capture-");
        var root = scratch.Path;

        // "a/b" must come before "a-b" and "a.b": the walk recurses before the next sibling.
        Directory.CreateDirectory(Path.Combine(root, "a"));
        File.WriteAllText(Path.Combine(root, "a", "b"), "a\n");
        File.WriteAllText(Path.Combine(root, "a-b"), "");
        File.CreateSymbolicLink(Path.Combine(root, "a.b"), "a/b");
        Assert.True(ExternalCommand.Run("ln", Path.Combine(root, "a", "b"), Path.Combine(root, "z")).Succeeded);
        File.SetLastWriteTimeUtc(Path.Combine(root, "a-b"), new DateTime(1969, 12, 31, 23, 59, 58, 500, DateTimeKind.Utc));

        var entries = TreeSnapshot.Capture(root);

        Assert.Equal([".", "a", "a/b", "a-b", "a.b", "z"], entries.Select(e => e.DisplayPath));
        var file = entries[2];
        Assert.Equal(TreeEntryType.File, file.Type);
        Assert.Equal(2, file.Size);
        Assert.Equal("87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7", file.Sha256);
        Assert.Equal("a/b", Encoding.UTF8.GetString(file.LinkGroup!));
        Assert.Equal("a/b", Encoding.UTF8.GetString(entries[5].LinkGroup!));
        Assert.Null(entries[3].LinkGroup);
        Assert.Equal(-2, entries[3].Mtime);
        Assert.Equal("a/b", Encoding.UTF8.GetString(entries[4].Target!));
        Assert.Null(entries[4].Size);
    }
}
