using System.Runtime.InteropServices;

namespace ParallelDiff.Core.Native;

/// <summary>sync_file_range(2), kept apart from the path calls: it only schedules writeback.</summary>
internal static partial class LibC
{
    /// <summary>Start writing out the range's dirty pages; do not wait for them.</summary>
    public const uint SYNC_FILE_RANGE_WRITE = 2;

    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
