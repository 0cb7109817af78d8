using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// GNU tar's "file changed as we read it": once a file's data is read, its status is compared with
/// the one the diff listed. A file rewritten in place at the same size while it was read would
/// otherwise put a mix of old and new content in the layer under the old header, and the layer
/// would look fine. The size is checked by the readers themselves (grew, shrank).
/// </summary>
public static class ReadConsistency
{
    /// <summary>
    /// Fails if the open file is the one listed (same device and inode) and its mtime or size moved
    /// since. A file whose data lives elsewhere (a metacopy file's lower data, a file replaced by a
    /// rename after the listing) is another inode: what was read is one file's whole content then,
    /// and there is no listed time to compare it with.
    /// </summary>
    /// <exception cref="FsException">The file changed; the message names it.</exception>
    public static void Check(SafeFileHandle file, FileStatus? listed, Func<string> location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (listed is not { } before)
        {
            return;
        }

        var now = Apply.AtCalls.Fstat(file);
        if (now.Inode != before.Inode || now.Device != before.Device)
        {
            return;
        }

        if (now.MtimeSeconds != before.MtimeSeconds || now.MtimeNanoseconds != before.MtimeNanoseconds || now.Size != before.Size)
        {
            throw new FsException($"{location()}: file changed as we read it (its modification time or size moved since the diff listed it); the layer is not written");
        }
    }
}
