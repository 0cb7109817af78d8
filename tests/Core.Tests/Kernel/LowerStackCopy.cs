using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// <see cref="LowerFlattener"/> for random stacks: the same cp -a --preserve=all of the kernel's
/// read-only view, except that it accepts what cp cannot copy because the kernel lists a name it
/// then says does not exist. That is a whiteout inside a directory that is not merged with
/// anything below (over a non-directory, or in a new directory): readdir passes it through, lstat
/// answers ENOENT (vectors 58 and 61). Random layers make those often; TreeSnapshot skips such
/// names in the truth, and here each one is checked to be exactly that before it is forgiven.
/// </summary>
internal static class LowerStackCopy
{
    private const string CannotStat = "cp: cannot stat '";
    private const string NoSuchFile = "': No such file or directory";

    public static void Flatten(IReadOnlyList<string> lowersTopFirst, IEnumerable<string> mountOptions, string dest)
    {
        Directory.CreateDirectory(dest);
        using var mount = OverlayMount.ReadOnly(lowersTopFirst, mountOptions);
        string[] arguments = ["-a", "--preserve=all", "--no-target-directory", mount.MountPoint + "/.", dest];
        var result = ExternalCommand.Run("cp", arguments);
        if (result.Succeeded && result.StandardError.Length == 0)
        {
            return;
        }

        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines.All(line => IsVanishedName(line, mount.MountPoint)))
        {
            throw new IOException(ExternalCommand.Describe("cp", arguments, result));
        }
    }

    /// <summary>"cp: cannot stat 'PATH': No such file or directory" for a name the mount's readdir lists and lstat cannot find.</summary>
    private static bool IsVanishedName(string line, string mountPoint)
    {
        if (!line.StartsWith(CannotStat, StringComparison.Ordinal) || !line.EndsWith(NoSuchFile, StringComparison.Ordinal))
        {
            return false;
        }

        var path = line[CannotStat.Length..^NoSuchFile.Length];
        if (!path.StartsWith(mountPoint + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var fs = LinuxFileSystem.Instance;
        var parent = Path.GetDirectoryName(path)!;
        var name = PathBytes.FromString(Path.GetFileName(path));
        var listed = fs.ReadDirectory(PathBytes.FromString(parent)).Any(n => n.AsSpan().SequenceEqual(name));
        return listed && !fs.TryLstat(PathBytes.FromString(path), out _, out var errno) && errno == Errno.ENOENT;
    }
}
