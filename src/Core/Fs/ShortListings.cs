using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Whether a directory's listing has ended at a getdents64 that left room for another record, so
/// the call that would return nothing can be skipped. True of ext2/3/4, XFS, tmpfs and btrfs: their
/// readdir emits entries until the caller's buffer is full or the directory ends (ext4_readdir and
/// ext4_dx_readdir, xfs_dir2_*_getdents, offset_iterate_dir, btrfs_real_readdir all stop only when
/// dir_emit refuses one). Not promised by POSIX, and not true of every file system (a FUSE server
/// or an NFS reply may hand back fewer entries than fit), so any other answers false and is listed
/// to its empty read. A small upper has four directories: four calls of about fifty its --cache
/// print takes.
/// </summary>
public static class ShortListings
{
    /// <summary>Room for the longest record: 19 header bytes, a 255-byte name and its NUL, padded to 8.</summary>
    public const int LongestRecord = 280;

    /// <summary>Whether the file system holding <paramref name="directory"/> ends listings at their first short read (false when it cannot be asked).</summary>
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
