using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

/// <summary>Calls on files by one name in a directory held open: what a warm --cache export makes per blob.</summary>
public sealed class DirectoryHandleTests
{
    private static ScratchDirectory Scratch() => ScratchDirectory.Create("pd-dirhandle-");

    [Fact]
    public void A_file_replaced_in_place_should_hold_exactly_the_new_bytes_and_a_link_at_its_name_should_not_be_followed()
    {
        using var scratch = Scratch();
        var here = scratch.Subdirectory("here");
        using var directory = DirectoryHandle.TryOpen(here)!;

        Assert.True(directory.TryReplaceFile("tree", "a longer first version"u8, out _));
        Assert.True(directory.TryReplaceFile("tree", "short"u8, out _));
        Assert.Equal("short", File.ReadAllText(Path.Combine(here, "tree")));

        var outside = Path.Combine(scratch.Path, "outside");
        File.WriteAllText(outside, "untouched");
        File.CreateSymbolicLink(Path.Combine(here, "link"), outside);
        Assert.False(directory.TryReplaceFile("link", "x"u8, out var errno));
        Assert.Equal(Errno.ELOOP, errno);
        Assert.Equal("untouched", File.ReadAllText(outside));
    }

    [Fact]
    public void A_file_read_by_its_name_should_keep_its_atime_where_a_plain_read_moves_it()
    {
        using var scratch = Scratch();
        var here = scratch.Subdirectory("here");
        var file = Path.Combine(here, "blob");
        File.WriteAllText(file, "bytes");
        var old = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using var directory = DirectoryHandle.TryOpen(here)!;

        // Under relatime an atime older than the ctime is moved by the next read.
        File.SetLastAccessTimeUtc(file, old);
        using (var handle = directory.TryOpenFile("blob", out _))
        {
            using var bytes = PlainRead.ReadAllPooled(handle!, here, 16);
            Assert.Equal("bytes"u8.ToArray(), bytes.Span.ToArray());
        }

        Assert.Equal(old, File.GetLastAccessTimeUtc(file));

        // The same read without O_NOATIME moves it (on a relatime mount, the default; a noatime
        // mount would make both assertions hold whatever the open did).
        _ = File.ReadAllBytes(file);
        Assert.True(File.GetLastAccessTimeUtc(file) > old || !RelatimeOrStrict(here), "a plain read kept the atime of a file read after its last change");
    }

    private static bool RelatimeOrStrict(string path)
    {
        // mountinfo: the mount options are the sixth field; the longest mount point above the path wins.
        var best = (Length: -1, Options: string.Empty);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var point = fields[4];
            if ((path == point || path.StartsWith(point.TrimEnd('/') + "/", StringComparison.Ordinal)) && point.Length > best.Length)
            {
                best = (point.Length, fields[5]);
            }
        }

        return !best.Options.Split(',').Contains("noatime");
    }

    [Fact]
    public void A_file_should_be_read_and_linked_by_its_name()
    {
        using var scratch = Scratch();
        var from = scratch.Subdirectory("from");
        var to = scratch.Subdirectory("to");
        File.WriteAllText(Path.Combine(from, "blob"), "bytes");
        using var source = DirectoryHandle.TryOpen(from)!;
        using var target = DirectoryHandle.TryOpen(to)!;

        using (var file = source.TryOpenFile("blob", out var errno))
        {
            Assert.Equal(0, errno);
            using var bytes = PlainRead.ReadAllPooled(file!, from, 16);
            Assert.Equal("bytes"u8.ToArray(), bytes.Span.ToArray());
        }

        Assert.True(source.TryLink("blob", target, out _));
        Assert.Equal("bytes", File.ReadAllText(Path.Combine(to, "blob")));
        Assert.True(LinuxFileSystem.Instance.TryLstat(System.Text.Encoding.UTF8.GetBytes(Path.Combine(to, "blob")), out var linked, out _));
        Assert.Equal(2UL, linked.LinkCount);

        // A name taken is EEXIST, a missing file ENOENT: the errno the caller decides by.
        Assert.False(source.TryLink("blob", target, out var taken));
        Assert.Equal(Errno.EEXIST, taken);
        Assert.Null(source.TryOpenFile("missing", out var missing));
        Assert.True(PlainRead.IsMissing(missing));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a\0b")]
    public void Anything_but_one_name_should_be_refused(string name)
    {
        using var scratch = Scratch();
        using var handle = DirectoryHandle.TryOpen(scratch.Subdirectory("d"))!;

        Assert.Throws<ArgumentException>(() => handle.TryOpenFile(name, out _));
    }

    [Fact]
    public void A_directory_not_there_yet_should_be_opened_once_it_is()
    {
        using var scratch = Scratch();
        var path = Path.Combine(scratch.Path, "later");
        DirectoryHandle? kept = null;
        File.WriteAllText(Path.Combine(scratch.Path, "file-not-dir"), "x");
        Assert.Null(DirectoryHandle.TryOpen(Path.Combine(scratch.Path, "file-not-dir")));
        Assert.Null(DirectoryHandle.Kept(ref kept, path));
        Assert.Null(kept);

        Directory.CreateDirectory(path);
        var first = DirectoryHandle.Kept(ref kept, path);
        Assert.NotNull(first);
        Assert.Same(first, DirectoryHandle.Kept(ref kept, path));
        first!.Dispose();
    }

    [Fact]
    public void A_handle_should_name_the_directory_it_opened_when_the_path_moves()
    {
        using var scratch = Scratch();
        var path = scratch.Subdirectory("moved");
        using var handle = DirectoryHandle.TryOpen(path)!;
        Directory.Move(path, path + "-elsewhere");
        File.WriteAllText(Path.Combine(path + "-elsewhere", "f"), "x");

        using var file = handle.TryOpenFile("f", out _);

        Assert.NotNull(file);
    }
}
