using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>The comparison can fail: each compared field, changed alone, is reported alone.</summary>
public sealed class TreeComparisonTests
{
    private static readonly TreeEntry Root = new() { Path = "."u8.ToArray(), Type = TreeEntryType.Directory, Mode = 0x1ED, Mtime = 10 };

    private static readonly TreeEntry Dir = new() { Path = "d"u8.ToArray(), Type = TreeEntryType.Directory, Mode = 0x1ED, Mtime = 20 };

    private static readonly TreeEntry File = new()
    {
        Path = "d/f"u8.ToArray(),
        Type = TreeEntryType.File,
        Mode = 0x1A4,
        Uid = 1000,
        Gid = 1000,
        Mtime = -2,
        Size = 2,
        Sha256 = "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7",
        Capability = [1, 0, 0, 2],
        LinkGroup = "d/f"u8.ToArray(),
    };

    private static readonly TreeEntry Link = new() { Path = "l"u8.ToArray(), Type = TreeEntryType.Symlink, Mode = 0x1FF, Target = "d/f"u8.ToArray() };

    private static readonly TreeEntry Device = new() { Path = "null"u8.ToArray(), Type = TreeEntryType.CharDevice, Mode = 0x1B6, Rdev = new DeviceNumber(1, 3) };

    private static List<TreeEntry> Tree() => [Root, Dir, File, Link, Device];

    public static TheoryData<string, int, TreeEntry> OneFieldChanged() => new()
    {
        { "type", 2, File with { Type = TreeEntryType.Fifo } },
        { "mode", 2, File with { Mode = 0x9A4 } },
        { "uid", 2, File with { Uid = 0 } },
        { "gid", 2, File with { Gid = 0 } },
        { "mtime", 2, File with { Mtime = -1 } },
        { "size", 2, File with { Size = 3 } },
        { "sha256", 2, File with { Sha256 = new string('0', 64) } },
        { "capability", 2, File with { Capability = null } },
        { "link_group", 2, File with { LinkGroup = "x"u8.ToArray() } },
        { "target", 3, Link with { Target = "d/g"u8.ToArray() } },
        { "rdev", 4, Device with { Rdev = new DeviceNumber(1, 5) } },
    };

    [Theory]
    [MemberData(nameof(OneFieldChanged))]
    public void Compare_should_report_exactly_the_changed_field(string field, int index, TreeEntry changed)
    {
        var actual = Tree();
        actual[index] = changed;

        var difference = Assert.Single(TreeComparison.Compare(Tree(), actual));
        Assert.Equal(field, difference.Field);
        Assert.Equal(changed.DisplayPath, difference.Path);
    }

    [Fact]
    public void Compare_should_find_equal_trees_equal() => Assert.Empty(TreeComparison.Compare(Tree(), Tree(), TreeComparisonOptions.Exact));

    [Fact]
    public void Compare_should_report_missing_and_extra_names()
    {
        var actual = Tree();
        actual.Remove(Link);
        actual.Add(Link with { Path = "m"u8.ToArray() });

        var differences = TreeComparison.Compare(Tree(), actual);
        Assert.Equal(["l: entry: expected symlink, actual missing", "m: entry: expected absent, actual symlink"], differences.Select(d => d.ToString()));
    }

    [Fact]
    public void Directory_mtimes_and_the_root_should_count_only_when_asked()
    {
        List<TreeEntry> actual = [Root with { Mode = 0x1C0, Mtime = 11 }, Dir with { Mtime = 21 }, File, Link, Device];

        Assert.Empty(TreeComparison.Compare(Tree(), actual));
        Assert.Equal(["mode", "mtime", "mtime"], TreeComparison.Compare(Tree(), actual, TreeComparisonOptions.Exact).Select(d => d.Field));
    }

    [Fact]
    public void Sockets_and_wh_names_should_be_skipped_only_when_asked()
    {
        var socket = new TreeEntry { Path = "run/s"u8.ToArray(), Type = TreeEntryType.Socket, Mode = 0x1ED };
        var whName = new TreeEntry { Path = "d/.wh.foo"u8.ToArray(), Type = TreeEntryType.File, Mode = 0x1A4, Size = 0, Sha256 = "e3" };
        var whChild = new TreeEntry { Path = ".wh..wh..opq/x"u8.ToArray(), Type = TreeEntryType.File, Mode = 0x1A4, Size = 0, Sha256 = "e3" };
        var expected = Tree().Concat([socket, whName, whChild]).ToList();

        Assert.Equal(3, TreeComparison.Compare(expected, Tree()).Count);
        Assert.Empty(TreeComparison.Compare(expected, Tree(), TreeComparisonOptions.LayerExpressible));
    }

    [Fact]
    public void Names_should_compare_as_bytes_not_as_decoded_text()
    {
        // Two invalid UTF-8 names that a lossy decoding would map to the same "\uFFFD" string.
        var a = new TreeEntry { Path = [0x62, 0xff], Type = TreeEntryType.Fifo, Mode = 0x1A4 };
        var b = a with { Path = [0x62, 0xfe] };

        Assert.Equal(2, TreeComparison.Compare([Root, a], [Root, b]).Count);
    }
}
