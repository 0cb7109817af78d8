using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Snapshots;

/// <summary>
/// A snapshot directory's canonical path: every symbolic link resolved (through links to links and
/// relative ones), the same answer the system's realpath(1) gives, and errors that name the role,
/// the path and the cause.
/// </summary>
public sealed class SnapshotPathsTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-snapshotpaths-");

    public void Dispose() => _scratch.Dispose();

    private static string RealPathCommand(string path)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("realpath", [path]) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd().TrimEnd('\n');
        p.WaitForExit();
        return output;
    }

    [Fact]
    public void A_path_through_links_to_links_should_canonicalise_as_realpath_does()
    {
        var target = Directory.CreateDirectory(Path.Combine(_scratch.Path, "real", "deep", "upper")).FullName;
        File.CreateSymbolicLink(Path.Combine(_scratch.Path, "first"), "real/deep");
        File.CreateSymbolicLink(Path.Combine(_scratch.Path, "second"), Path.Combine(_scratch.Path, "first"));
        var through = Path.Combine(_scratch.Path, "second", "upper");

        var canonical = Encoding.UTF8.GetString(SnapshotPaths.CanonicalDirectory(through, "--upper"));

        Assert.Equal(RealPathCommand(through), canonical);
        Assert.Equal(RealPathCommand(target), canonical);
        Assert.DoesNotContain("second", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_without_links_should_canonicalise_as_realpath_does_with_the_status_lstat_gives()
    {
        var target = Directory.CreateDirectory(Path.Combine(_scratch.Path, "plain", "upper")).FullName;
        foreach (var given in new[] { target, target + "/", Path.Combine(_scratch.Path, "plain", ".", "x", "..", "upper") })
        {
            var canonical = SnapshotPaths.OpenCanonicalDirectory(given, "--upper", out var status, out var directory);
            ParallelDiff.Core.Native.LibC.Close(directory);
            Assert.Equal(RealPathCommand(target), Encoding.UTF8.GetString(canonical));
            Assert.Equal(canonical, SnapshotPaths.CanonicalDirectory(given, "--upper"));
            Assert.True(LinuxFileSystem.Instance.TryLstat(canonical, out var lstat, out _));
            Assert.Equal(lstat, status);
        }
    }

    [Fact]
    public void Opened_for_reading_a_path_without_links_should_give_its_descriptor_and_one_through_links_none()
    {
        var target = Directory.CreateDirectory(Path.Combine(_scratch.Path, "open", "upper")).FullName;
        File.WriteAllText(Path.Combine(target, "file"), "x");
        File.CreateSymbolicLink(Path.Combine(_scratch.Path, "via"), "open");

        var canonical = SnapshotPaths.OpenCanonicalDirectory(target, "--upper", out var status, out var directory);
        try
        {
            Assert.True(directory >= 0);
            Assert.True(status.IsDirectory);
            var names = LinuxFileSystem.Instance.ListDirectoryAt(directory, canonical, withXattrNames: false, shortReadEnds: false, []);
            Assert.Equal("file", Encoding.UTF8.GetString(Assert.Single(names).Name));
        }
        finally
        {
            ParallelDiff.Core.Native.LibC.Close(directory);
        }

        var resolved = SnapshotPaths.OpenCanonicalDirectory(Path.Combine(_scratch.Path, "via", "upper"), "--upper", out _, out var none);
        Assert.Equal(-1, none);
        Assert.Equal(RealPathCommand(target), Encoding.UTF8.GetString(resolved));
        var file = Assert.Throws<SnapshotException>(() => SnapshotPaths.OpenCanonicalDirectory(Path.Combine(target, "file"), "--upper", out _, out _));
        Assert.Contains("not a directory", file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_or_a_file_should_be_refused_naming_the_role_and_the_cause()
    {
        var missing = Assert.Throws<SnapshotException>(() => SnapshotPaths.CanonicalDirectory(Path.Combine(_scratch.Path, "nope"), "--upper"));
        Assert.Contains("--upper", missing.Message, StringComparison.Ordinal);
        Assert.Contains("nope", missing.Message, StringComparison.Ordinal);

        var file = Path.Combine(_scratch.Path, "file");
        File.WriteAllText(file, "x");
        var notDirectory = Assert.Throws<SnapshotException>(() => SnapshotPaths.CanonicalDirectory(file, "--lower"));
        Assert.Contains("not a directory", notDirectory.Message, StringComparison.Ordinal);
    }
}
