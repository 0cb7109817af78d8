using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>An entry looked up by its path below an open directory.</summary>
public sealed unsafe partial class LinuxFileSystem
{
    /// <summary>
    /// The status (lstat) and xattr names of <paramref name="relativePath"/> below the directory open
    /// as <paramref name="dirFd"/>: statx and listxattrat on the path, with no directory of it opened
    /// (<see cref="Export.TreeStatPrint.OfKnown"/>). False when either cannot be had (the entry is
    /// gone, or changed kind between the two calls): the caller walks instead, and says why there.
    /// </summary>
    /// <param name="directory">The directory's absolute path, for the fallback of kernels without listxattrat.</param>
    public bool TryStatAt(int dirFd, byte[] relativePath, byte[] directory, out FileStatus status, out string[] xattrNames)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        ArgumentNullException.ThrowIfNull(directory);
        xattrNames = [];
        using var c = new CPath(relativePath);
        if (!TryStatxAt(dirFd, c.Pointer, LibC.AT_SYMLINK_NOFOLLOW, out status, out _))
        {
            return false;
        }

        try
        {
            xattrNames = ListXattrsAt(dirFd, c.Pointer, directory, relativePath);
            return true;
        }
        catch (FsException)
        {
            return false;
        }
    }
}
