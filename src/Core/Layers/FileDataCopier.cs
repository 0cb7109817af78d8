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

    public static void Copy(ISnapshotTree source, byte[] path, long size, Stream output, CancellationToken cancellationToken)
    {
        using var handle = source.OpenData(path);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long offset = 0;
            while (offset < size)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(buffer.Length, size - offset);
                var n = RandomAccess.Read(handle, buffer.AsSpan(0, want), offset);
                if (n == 0)
                {
                    throw new FsException($"{source.Locate(path)}: file shrank while read (expected {size} bytes, got {offset})");
                }

                output.Write(buffer, 0, n);
                offset += n;
            }

            if (RandomAccess.Read(handle, buffer.AsSpan(0, 1), size) != 0)
            {
                throw new FsException($"{source.Locate(path)}: file grew while read (expected {size} bytes)");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
