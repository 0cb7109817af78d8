using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Kernel;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

/// <summary>
/// OpenRead through a LastDirectory opens a file by its bare name in the directory it keeps open;
/// it must give the same file, and refuse the same links, as the open by absolute path.
/// </summary>
public sealed class LastDirectoryTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-lastdir-");
    private readonly LinuxFileSystem _fs = LinuxFileSystem.Instance;

    public LastDirectoryTests()
    {
        Directory.CreateDirectory(At("a/b"));
        Directory.CreateDirectory(At("c"));
        File.WriteAllText(At("a/b/one"), "one");
        File.WriteAllText(At("a/b/two"), "two");
        File.WriteAllText(At("c/three"), "three");
        File.WriteAllText(At("top"), "top");
    }

    public void Dispose() => _scratch.Dispose();

    private string At(string relative) => Path.Combine(_scratch.Path, relative);

    private static byte[] B(string path) => PathBytes.FromString(path);

    [Fact]
    public void OpenRead_should_open_each_file_as_the_open_by_path_does_whichever_directory_came_before()
    {
        using var lastDirectory = new LastDirectory();
        foreach (var name in new[] { "a/b/one", "a/b/two", "c/three", "a/b/one", "top" })
        {
            using var handle = _fs.OpenRead(B(At(name)), lastDirectory);
            Assert.Equal(File.ReadAllText(At(name)), Read(handle));
        }
    }

    [Fact]
    public void OpenRead_should_refuse_a_symbolic_link_as_the_file_or_as_any_directory_component()
    {
        Posix.Must(Posix.Symlink(At("a"), At("link")), "symlink", At("link"));
        Posix.Must(Posix.Symlink("one", At("a/b/alias")), "symlink", At("a/b/alias"));
        using var lastDirectory = new LastDirectory();
        using (_fs.OpenRead(B(At("a/b/one")), lastDirectory))
        {
        }

        // The directory is the one kept open: only the name's own resolution can refuse the link.
        var file = Assert.Throws<FsException>(() => _fs.OpenRead(B(At("a/b/alias")), lastDirectory));
        Assert.Equal(Errno.ELOOP, file.ErrorNumber);
        Assert.Equal(At("a/b/alias"), file.PathText);

        foreach (var through in new[] { "link/b/one", "link/b" })
        {
            var e = Assert.Throws<FsException>(() => _fs.OpenRead(B(At(through)), lastDirectory));
            Assert.Equal(Errno.ELOOP, e.ErrorNumber);
            Assert.Equal(At(through), e.PathText);
            Assert.Equal(Errno.ELOOP, Assert.Throws<FsException>(() => _fs.OpenRead(B(At(through)))).ErrorNumber);
        }
    }

    [Fact]
    public void OpenRead_should_name_the_file_and_the_cause_when_it_or_its_directory_is_missing()
    {
        using var lastDirectory = new LastDirectory();

        var file = Assert.Throws<FsException>(() => _fs.OpenRead(B(At("a/b/gone")), lastDirectory));
        var directory = Assert.Throws<FsException>(() => _fs.OpenRead(B(At("gone/one")), lastDirectory));

        Assert.Equal($"{At("a/b/gone")}: open: {Errno.Describe(Errno.ENOENT)}", file.Message);
        Assert.Equal($"{At("gone/one")}: open: {Errno.Describe(Errno.ENOENT)}", directory.Message);
        using var handle = _fs.OpenRead(B(At("a/b/two")), lastDirectory);
        Assert.Equal("two", Read(handle));
    }

    [Fact]
    public void Dispose_should_close_the_directory_it_kept_open()
    {
        var lastDirectory = new LastDirectory();
        using (_fs.OpenRead(B(At("c/three")), lastDirectory))
        {
        }

        Assert.Equal(1, DescriptorsOf(At("c")));
        using (_fs.OpenRead(B(At("a/b/one")), lastDirectory))
        {
        }

        // Moving on to another directory closes the previous one.
        Assert.Equal(0, DescriptorsOf(At("c")));
        Assert.Equal(1, DescriptorsOf(At("a/b")));
        lastDirectory.Dispose();
        Assert.Equal(0, DescriptorsOf(At("a/b")));
    }

    private static string Read(SafeFileHandle handle)
    {
        var buffer = new byte[64];
        var n = PositionalRead.Read(handle, buffer, 0, () => "test file");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>This process's descriptors open on <paramref name="path"/> (the scratch paths are unique to the test).</summary>
    private static int DescriptorsOf(string path) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd => fd.LinkTarget == path);
}
