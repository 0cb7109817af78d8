using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// fsync(2) of many blob files at once: sync_file_range(2) first starts the writeback of all of them,
/// so that their data goes out together instead of one file's per fsync round trip; then each file
/// is fsynced (its data, its inode, the device cache), which is what makes it durable.
/// </summary>
internal static class BlobFileSync
{
    /// <exception cref="FsException">A file could not be opened or fsynced; the message names it.</exception>
    public static void All(IReadOnlyCollection<string> files)
    {
        var opened = new List<(string Path, int Fd)>(files.Count);
        try
        {
            foreach (var path in files)
            {
                var fd = PathSync.Open(path, LibC.O_RDONLY, "open for fsync");
                opened.Add((path, fd));
                // Only a head start: errors, if any, are fsync's to report.
                _ = LibC.SyncFileRange(fd, 0, 0, LibC.SYNC_FILE_RANGE_WRITE);
            }

            foreach (var (path, fd) in opened)
            {
                PathSync.Fsync(fd, path, "fsync");
            }
        }
        finally
        {
            foreach (var (_, fd) in opened)
            {
                LibC.Close(fd);
            }
        }
    }
}
