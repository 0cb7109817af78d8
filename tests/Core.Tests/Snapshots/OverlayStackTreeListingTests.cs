using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Kernel;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Snapshots;

/// <summary>
/// A merged listing lists each layer directory once with statuses and xattr names; the names then
/// answer the tree's xattr questions. The oracle is the per-path calls on the entry's real file.
/// </summary>
public sealed class OverlayStackTreeListingTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-stack-listing-");

    public OverlayStackTreeListingTests()
    {
        Directory.CreateDirectory(At("top/d"));
        Directory.CreateDirectory(At("bottom/d"));
        File.WriteAllText(At("top/a"), "a");
        Posix.Must(Posix.SetXattr(At("top/a"), "user.note", "1"u8.ToArray()), "setxattr", At("top/a"));
        File.WriteAllText(At("top/b"), "b");
        File.WriteAllText(At("bottom/b"), "hidden");
        Posix.Must(Posix.SetXattr(At("bottom/b"), "user.hidden", "h"u8.ToArray()), "setxattr", At("bottom/b"));
        File.WriteAllText(At("bottom/c"), "c");
        Posix.Must(Posix.SetXattr(At("bottom/c"), "user.other", "2"u8.ToArray()), "setxattr", At("bottom/c"));
    }

    public void Dispose() => _scratch.Dispose();

    private string At(string relative) => Path.Combine(_scratch.Path, relative);

    private OverlayStackTree Tree(IFileSystem fs) =>
        new([new OverlayLayer(At("top")), new OverlayLayer(At("bottom"))], OverlayOptions.Default, "merged", fs);

    [Fact]
    public void List_should_resolve_every_name_from_the_layer_listings_without_a_call_per_name()
    {
        var fs = new CountingFileSystem();
        var tree = Tree(fs);
        fs.Reset();

        var entries = tree.List([]);

        Assert.Equal(["a", "b", "c", "d"], entries.Select(e => PathBytes.Display(e.Name)));
        Assert.Equal(2, fs.Listings);
        Assert.Equal(0, fs.PathCalls);
        foreach (var (entry, real) in entries.Zip(new[] { "top/a", "top/b", "bottom/c", "top/d" }))
        {
            Assert.True(LinuxFileSystem.Instance.TryLstat(PathBytes.FromString(At(real)), out var status, out _));
            Assert.Equal(status, entry.Status);
        }
    }

    [Fact]
    public void Xattrs_of_a_listed_entry_should_be_those_of_its_real_file_and_an_absent_one_should_cost_no_call()
    {
        var fs = new CountingFileSystem();
        var tree = Tree(fs);
        var entries = tree.List([]);
        fs.Reset();

        foreach (var (entry, real) in entries.Zip(new[] { "top/a", "top/b", "bottom/c", "top/d" }))
        {
            var path = entry.Name;
            var oracle = LinuxFileSystem.Instance.ListXattrs(PathBytes.FromString(At(real)));
            Assert.Equal(oracle.Order(StringComparer.Ordinal), tree.ListXattrs(path).Order(StringComparer.Ordinal));
            Assert.Null(tree.GetXattr(path, "security.capability"));
            Assert.Null(tree.GetXattr(path, "user.hidden"));
        }

        // Only the listings were read: names the entries lack, and whole lists, need no call.
        Assert.Equal(0, fs.PathCalls);

        Assert.Equal("1"u8.ToArray(), tree.GetXattr("a"u8, "user.note"));
        Assert.Equal("2"u8.ToArray(), tree.GetXattr("c"u8, "user.other"));
        Assert.Equal(2, fs.PathCalls);
    }

    [Fact]
    public void Lookup_without_a_listing_should_still_read_xattrs_by_path()
    {
        var fs = new CountingFileSystem();
        var tree = Tree(fs);

        Assert.Null(tree.GetXattr("b"u8, "user.hidden"));
        Assert.Equal("2"u8.ToArray(), tree.GetXattr("c"u8, "user.other"));
        Assert.Equal(["user.other"], tree.ListXattrs("c"u8));
    }

    /// <summary>The real calls, counting the listings and every call made by path.</summary>
    private sealed class CountingFileSystem : IFileSystem
    {
        private readonly LinuxFileSystem _inner = LinuxFileSystem.Instance;

        public int Listings { get; private set; }

        public int PathCalls { get; private set; }

        public void Reset() => (Listings, PathCalls) = (0, 0);

        public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
        {
            PathCalls++;
            return _inner.TryLstat(path, out status, out errno);
        }

        public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
        {
            Listings++;
            return _inner.ReadDirectory(path);
        }

        public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames)
        {
            Listings++;
            return _inner.ListDirectory(path, withXattrNames);
        }

        public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
        {
            PathCalls++;
            return _inner.GetXattr(path, name);
        }

        public List<string> ListXattrs(ReadOnlySpan<byte> path)
        {
            PathCalls++;
            return _inner.ListXattrs(path);
        }

        public byte[] ReadLink(ReadOnlySpan<byte> path)
        {
            PathCalls++;
            return _inner.ReadLink(path);
        }

        public SafeFileHandle OpenRead(ReadOnlySpan<byte> path)
        {
            PathCalls++;
            return _inner.OpenRead(path);
        }
    }
}
