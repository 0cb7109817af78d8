using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// Makes many blob files durable at once. A few: sync_file_range(2) first starts the writeback of
/// all of them, so that their data goes out together instead of one file's per fsync round trip;
/// then each file is fsynced (its data, its inode, the device cache). Many
/// (<see cref="SyncfsFrom"/> or more, given the file system's descriptor): one syncfs(2) instead,
/// as ostree commits its objects; every fsync flushes the device cache, and a group of small
/// snapshots' config, manifest and layer blobs paid that flush per file (the most of a warm
/// --cache export's system time).
/// </summary>
internal static class BlobFileSync
{
    /// <summary>The number of files from which one syncfs replaces their fsyncs.</summary>
    public const int SyncfsFrom = 4;

    /// <param name="fileSystem">
    /// A descriptor on the blobs' file system, opened before the blobs were written (syncfs reports
    /// the writeback errors since its descriptor's open), or null to fsync each file.
    /// </param>
    /// <exception cref="FsException">A file could not be opened or fsynced, or the syncfs failed; the message names the path.</exception>
    public static void All(IReadOnlyCollection<string> files, FileSystemHandle? fileSystem = null)
    {
        if (fileSystem is not null && files.Count >= SyncfsFrom)
        {
            fileSystem.Sync();
            return;
        }

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
