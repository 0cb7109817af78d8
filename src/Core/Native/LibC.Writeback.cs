using System.Runtime.InteropServices;

namespace ParallelDiff.Core.Native;

/// <summary>sync_file_range(2), which only schedules writeback, and syncfs(2), kept apart from the path calls.</summary>
internal static partial class LibC
{
    /// <summary>Start writing out the range's dirty pages; do not wait for them.</summary>
    public const uint SYNC_FILE_RANGE_WRITE = 2;

    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    /// <summary>
    /// Writes out every dirty page and inode of the file system holding the descriptor and flushes
    /// the device cache. Since Linux 5.8 it fails with the writeback errors of that file system
    /// since the descriptor was opened.
    /// </summary>
    [LibraryImport(Lib, EntryPoint = "syncfs", SetLastError = true)]
    public static partial int Syncfs(int fd);
}
