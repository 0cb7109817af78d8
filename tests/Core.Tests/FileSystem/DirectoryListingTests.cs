using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;
using ParallelDiff.Core.Tests.Kernel;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

/// <summary>
/// LinuxFileSystem.ListDirectory reads statuses and xattr names relative to one descriptor of the
/// directory; the oracle is the per-path calls it replaces (lstat, llistxattr by absolute path).
/// </summary>
public sealed class DirectoryListingTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-listing-");
    private readonly LinuxFileSystem _fs = LinuxFileSystem.Instance;

    public void Dispose() => _scratch.Dispose();

    private string At(string relative) => Path.Combine(_scratch.Path, relative);

    private static byte[] B(string path) => PathBytes.FromString(path);

    [Fact]
    public void A_listing_that_ends_at_its_first_short_read_should_still_give_every_name_of_a_many_buffer_directory()
    {
        // 1,500 names of 200 bytes: about 10 full 32 KiB reads, then a short one.
        for (var i = 0; i < 1500; i++)
        {
            File.WriteAllText(At($"{i:D4}-{new string('y', 195)}"), "");
        }

        Directory.CreateDirectory(At("small"));
        File.WriteAllText(At("small/one"), "");
        // Asked of statfs; the oracle is the type the mount table names.
        var type = new DriveInfo(_scratch.Path).DriveFormat;
        Assert.Equal(type is "ext2" or "ext3" or "ext4" or "xfs" or "tmpfs" or "btrfs", ShortReads.End(B(_scratch.Path)));
        Assert.False(ShortReads.End(B("/proc/self")));

        string[] Names(string dir, bool shortReadEnds) =>
            [.. _fs.ListDirectory(B(dir), withXattrNames: true, shortReadEnds, []).Select(e => Encoding.UTF8.GetString(e.Name)).Order(StringComparer.Ordinal)];
        var whole = Names(_scratch.Path, shortReadEnds: false);
        Assert.Equal(1501, whole.Length);
        Assert.Equal(whole, Names(_scratch.Path, shortReadEnds: true));
        Assert.Equal(["one"], Names(At("small"), shortReadEnds: true));
    }

    [Fact]
    public void ListDirectory_should_give_every_name_with_the_status_lstat_gives_by_path()
    {
        File.WriteAllText(At("file"), "data");
        Directory.CreateDirectory(At("dir"));
        Posix.Must(Posix.Symlink("/etc/passwd", At("link")), "symlink", At("link"));
        Posix.Must(Posix.Mknod(At("fifo"), Posix.S_IFIFO | 0x1A4, 0, 0), "mkfifo", At("fifo"));
        Posix.Must(Posix.Link(At("file"), At("hardlink")), "link", At("hardlink"));
        byte[] notUtf8 = [(byte)'n', 0xff, 0xfe];
        CreateFile(PathBytes.Join(B(_scratch.Path), notUtf8));
        // More names than one 32 KiB getdents64 buffer holds, so the listing takes several calls.
        for (var i = 0; i < 600; i++)
        {
            File.WriteAllText(At($"many-{i:D4}-{new string('x', 60)}"), "");
        }

        var listed = _fs.ListDirectory(B(_scratch.Path), withXattrNames: false);

        var expected = _fs.ReadDirectory(B(_scratch.Path));
        Assert.Equal(expected.Count, listed.Count);
        Assert.Equal(606, listed.Count);
        Assert.Contains(listed, e => e.Name.AsSpan().SequenceEqual(notUtf8));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], listed[i].Name);
            Assert.True(_fs.TryLstat(PathBytes.Join(B(_scratch.Path), expected[i]), out var byPath, out _));
            Assert.Equal(byPath, listed[i].Status);
            Assert.Null(listed[i].XattrNames);
        }

        Assert.Equal(FileKind.Symlink, listed.Single(e => Name(e) == "link").Status.Kind);
        Assert.Equal(FileKind.Fifo, listed.Single(e => Name(e) == "fifo").Status.Kind);
        Assert.Equal(2UL, listed.Single(e => Name(e) == "hardlink").Status.LinkCount);
    }

    [RootFact]
    public void ListDirectory_should_read_the_xattr_names_llistxattr_gives_by_path_with_listxattrat_and_without()
    {
        File.WriteAllText(At("plain"), "");
        File.WriteAllText(At("one"), "");
        Posix.Must(Posix.SetXattr(At("one"), "user.note", "v"u8.ToArray()), "setxattr", At("one"));
        // A name the listing knows by heart beside one that only starts like it.
        Directory.CreateDirectory(At("two"));
        Posix.Must(Posix.SetXattr(At("two"), "user.overlay.origin", "o"u8.ToArray()), "setxattr", At("two"));
        Posix.Must(Posix.SetXattr(At("two"), "user.overlay.originx", "x"u8.ToArray()), "setxattr", At("two"));
        Directory.CreateDirectory(At("opaque"));
        Posix.Must(Posix.SetXattr(At("opaque"), "trusted.overlay.opaque", "y"u8.ToArray()), "setxattr", At("opaque"));
        // A symlink's own xattrs (trusted.* is allowed on one), not its target's.
        Posix.Must(Posix.Symlink("one", At("link")), "symlink", At("link"));
        Posix.Must(Posix.SetXattr(At("link"), "trusted.mark", "l"u8.ToArray()), "setxattr", At("link"));
        // A list longer than the first 1 KiB guess: the size is asked, then the list read.
        File.WriteAllText(At("long"), "");
        for (var i = 0; i < 40; i++)
        {
            Posix.Must(Posix.SetXattr(At("long"), $"user.{i:D2}-{new string('a', 40)}", [1]), "setxattr", At("long"));
        }

        var atCalls = _fs.ListDirectory(B(_scratch.Path), withXattrNames: true);
        var byPath = new LinuxFileSystem(useListXattrAt: false).ListDirectory(B(_scratch.Path), withXattrNames: true);

        Assert.Equal(6, atCalls.Count);
        foreach (var (at, path) in atCalls.Zip(byPath))
        {
            var oracle = _fs.ListXattrs(PathBytes.Join(B(_scratch.Path), at.Name));
            Assert.Equal(oracle.Order(StringComparer.Ordinal), at.XattrNames!.Order(StringComparer.Ordinal));
            Assert.Equal(oracle.Order(StringComparer.Ordinal), path.XattrNames!.Order(StringComparer.Ordinal));
        }

        Assert.Empty(XattrsOf(atCalls, "plain"));
        Assert.Equal(["user.note"], XattrsOf(atCalls, "one"));
        Assert.Equal(["user.overlay.origin", "user.overlay.originx"], XattrsOf(atCalls, "two").Order(StringComparer.Ordinal));
        Assert.Contains("trusted.overlay.opaque", XattrsOf(atCalls, "opaque"));
        Assert.Equal(["trusted.mark"], XattrsOf(atCalls, "link"));
        Assert.Equal(40, XattrsOf(atCalls, "long").Count(n => n.StartsWith("user.", StringComparison.Ordinal)));
    }

    [Fact]
    public void ListDirectory_should_refuse_a_symbolic_link_in_any_component_of_the_directory()
    {
        Directory.CreateDirectory(At("real/sub"));
        File.WriteAllText(At("real/sub/f"), "");
        Posix.Must(Posix.Symlink(At("real"), At("link")), "symlink", At("link"));

        // The link is the last component or an inner one (O_NOFOLLOW alone would follow that):
        // a tree changed under us must not redirect a listing.
        foreach (var through in new[] { At("link"), At("link/sub") })
        {
            var e = Assert.Throws<FsException>(() => _fs.ListDirectory(B(through), withXattrNames: true));
            Assert.Equal(Errno.ELOOP, e.ErrorNumber);
            Assert.Equal(through, e.PathText);
            Assert.Equal(Errno.ELOOP, Assert.Throws<FsException>(() => _fs.ReadDirectory(B(through))).ErrorNumber);
        }

        Assert.Single(_fs.ListDirectory(B(At("real/sub")), withXattrNames: false));
    }

    [Fact]
    public void ListDirectory_should_name_the_directory_and_the_cause_when_it_cannot_be_opened()
    {
        File.WriteAllText(At("file"), "");

        var missing = Assert.Throws<FsException>(() => _fs.ListDirectory(B(At("missing")), withXattrNames: false));
        var notDirectory = Assert.Throws<FsException>(() => _fs.ListDirectory(B(At("file")), withXattrNames: false));

        Assert.Equal($"{At("missing")}: open directory: {Errno.Describe(Errno.ENOENT)}", missing.Message);
        Assert.Equal(Errno.ENOTDIR, notDirectory.ErrorNumber);
        Assert.Equal(At("file"), notDirectory.PathText);
    }

    private static string Name(DirEntry entry) => PathBytes.Display(entry.Name);

    private static IReadOnlyList<string> XattrsOf(List<DirEntry> entries, string name) =>
        entries.Single(e => Name(e) == name).XattrNames!;

    private static unsafe void CreateFile(byte[] path)
    {
        using var c = new CPath(path);
        var fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x1A4);
        Assert.True(fd >= 0, "create a file with a name that is not UTF-8");
        LibC.Close(fd);
    }
}
