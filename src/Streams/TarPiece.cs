using Akka.IO;

namespace ParallelDiff.Streams;

/// <summary>
/// One piece of the tar stream in order: bytes already known (a header, padding, the end
/// marker), or a read of <see cref="Length"/> bytes at <see cref="Offset"/> of a file's data.
/// </summary>
internal readonly record struct TarPiece(ByteString Bytes, FileDataReader? Reader, long Offset, int Length)
{
    public static TarPiece Of(ByteString bytes) => new(bytes, null, 0, bytes.Count);

    public static TarPiece Read(FileDataReader reader, long offset, int length) => new(ByteString.Empty, reader, offset, length);

    /// <summary>The piece's bytes, and how many of them count against the read-ahead budget.</summary>
    public Task<(ByteString Bytes, int Counted)> ResolveAsync() => Reader is null ? Task.FromResult((Bytes, 0)) : ReadAsync(Reader, Offset, Length);

    private static async Task<(ByteString Bytes, int Counted)> ReadAsync(FileDataReader reader, long offset, int length) =>
        (await reader.ReadAsync(offset, length).ConfigureAwait(false), length);
}
