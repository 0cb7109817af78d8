using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// The renames that give a finished file its name: one that replaces whatever has the name (an
/// atomic output file, a blob whose bytes are already on disk), and one that never does (renameat2
/// RENAME_NOREPLACE, for a blob's bytes not yet synced, which must not take the place of a blob
/// someone may already rely on).
/// </summary>
internal static partial class FileRename
{
    private const uint RENAME_NOREPLACE = 1;

    /// <summary>rename(2) over whatever has the name.</summary>
    /// <exception cref="FsException">The rename failed (EXDEV too).</exception>
    public static void Replacing(string from, string to)
    {
        if (!TryReplacing(from, to))
        {
            throw new FsException($"rename from {from}", to, Errno.EXDEV);
        }
    }

    /// <summary>rename(2) over whatever has the name; false when the two paths are on different file systems.</summary>
    /// <exception cref="FsException">The rename failed for another reason.</exception>
    public static unsafe bool TryReplacing(string from, string to)
    {
        using var f = new CPath(Encoding.UTF8.GetBytes(from));
        using var t = new CPath(Encoding.UTF8.GetBytes(to));
        if (LibC.RenameAt(LibC.AT_FDCWD, f.Pointer, LibC.AT_FDCWD, t.Pointer) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Errno.EXDEV ? false : throw new FsException($"rename from {from}", to, errno);
    }

    /// <summary>
    /// renameat2(2) with RENAME_NOREPLACE: true when <paramref name="from"/> took the name; false when
    /// the name exists, or the file system cannot promise not to replace it (EINVAL: NFS, some FUSE).
    /// </summary>
    /// <exception cref="FsException">The rename failed for another reason.</exception>
    public static unsafe bool TryNew(string from, string to)
    {
        using var f = new CPath(Encoding.UTF8.GetBytes(from));
        using var t = new CPath(Encoding.UTF8.GetBytes(to));
        if (RenameAt2(LibC.AT_FDCWD, f.Pointer, LibC.AT_FDCWD, t.Pointer, RENAME_NOREPLACE) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is Errno.EEXIST or Errno.EINVAL or Errno.ENOSYS ? false : throw new FsException($"rename (no replace) from {from}", to, errno);
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static unsafe partial int RenameAt2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);
}
