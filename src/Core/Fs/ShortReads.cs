using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Whether a read that came back short is the end, on the file system holding a path: true of
/// ext2/3/4, XFS, tmpfs and btrfs. Their readdir emits entries until the caller's buffer is full or
/// the directory ends (ext4_readdir and ext4_dx_readdir, xfs_dir2_*_getdents, offset_iterate_dir,
/// btrfs_real_readdir all stop only when dir_emit refuses one), so the getdents64 that would return
/// nothing can be skipped; and their reads of a regular file go through the page cache until the
/// count or the file's end, so a short pread is the end. Not promised by POSIX, and not true of
/// every file system (a FUSE server or an NFS reply may hand back less than was asked), so any
/// other answers false and is read to its empty read. A small upper has four directories: four
/// calls of about fifty its --cache print took, and a record one more.
/// </summary>
public static class ShortReads
{
    /// <summary>Room for the longest record: 19 header bytes, a 255-byte name and its NUL, padded to 8.</summary>
    public const int LongestRecord = 280;

    /// <summary>Whether the file system holding <paramref name="directory"/> ends listings and reads at their first short read (false when it cannot be asked).</summary>
    public static unsafe bool End(ReadOnlySpan<byte> directory)
    {
        using var path = new CPath(directory);
        var buffer = stackalloc byte[LibC.StatfsSize];
        if (LibC.Statfs(path.Pointer, buffer) != 0)
        {
            return false;
        }

        return *(long*)buffer is LibC.EXT4_SUPER_MAGIC or LibC.XFS_SUPER_MAGIC or LibC.TMPFS_MAGIC or LibC.BTRFS_SUPER_MAGIC;
    }
}
