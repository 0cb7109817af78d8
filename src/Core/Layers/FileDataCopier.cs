using System.Buffers;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// Copies exactly the size a header announced. A file that grew or shrank since its lstat fails
/// the layer (containerd: ErrWriteTooLong / "short write"), never a tar with a hole or a tail.
/// </summary>
public static class FileDataCopier
{
    public const int ChunkSize = 1024 * 1024;

    /// <param name="listed">The file's status when the diff listed it: a file changed since fails (<see cref="ReadConsistency"/>).</param>
    /// <param name="lastDirectory">The directory of the file copied before, kept open by a caller that copies files in tar order, so that the next file in it opens by its bare name.</param>
    public static void Copy(ISnapshotTree source, byte[] path, long size, Stream output, CancellationToken cancellationToken, FileStatus? listed = null, LastDirectory? lastDirectory = null)
    {
        using var handle = lastDirectory is null ? source.OpenData(path) : source.OpenData(path, lastDirectory);
        // No bigger than the file: a megabyte for a 40-byte file is a large-object allocation,
        // and in a short process the first few of those cost a full collection.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkSize, size + 1));
        try
        {
            // Reads ask for one byte more than is left, so a file that grew since its lstat shows
            // it in the last read instead of costing a second pread at the end.
            long offset = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(buffer.Length, size - offset + 1);
                var n = PositionalRead.Read(handle, buffer.AsSpan(0, want), offset, () => source.Locate(path));
                if (n == 0)
                {
                    if (offset < size)
                    {
                        throw new FsException($"{source.Locate(path)}: file shrank while read (expected {size} bytes, got {offset})");
                    }

                    ReadConsistency.Check(handle, listed, () => source.Locate(path));
                    return;
                }

                if (offset + n > size)
                {
                    throw new FsException($"{source.Locate(path)}: file grew while read (expected {size} bytes)");
                }

                output.Write(buffer, 0, n);
                offset += n;
                if (offset == size && n < want)
                {
                    // A short read that asked past the announced size: the end of the file is here.
                    ReadConsistency.Check(handle, listed, () => source.Locate(path));
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
