using Akka.IO;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// One piece of the tar stream in order: bytes already known (a header, padding, the end
/// marker), or a read of <see cref="Length"/> bytes at <see cref="Offset"/> of a file's data.
/// </summary>
internal readonly record struct TarPiece(ByteString Bytes, LayerEntry? File, long Offset, int Length)
{
    public static TarPiece Of(ByteString bytes) => new(bytes, null, 0, bytes.Count);

    public static TarPiece Read(LayerEntry file, long offset, int length) => new(ByteString.Empty, file, offset, length);

    public bool IsRead => File is not null;
}
