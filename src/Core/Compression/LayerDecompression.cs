using System.IO.Compression;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// Recognises a layer blob's compression by its magic number and opens a stream of its tar.
/// Every reader here accepts concatenated units (gzip members, zstd frames, LZ4 frames), so it
/// reads blobs written block by block as well as ones written by the gzip, zstd and lz4 tools.
/// </summary>
/// <remarks>
/// Damaged zstd and LZ4 blobs, including ones cut short, raise an exception. A gzip blob cut short
/// does not: .NET's GZipStream checks each member's CRC-32 and ISIZE when the trailer is there,
/// but ends quietly when the input stops inside a member (dotnet/runtime#47563). Callers that
/// must not accept a short tar verify its diffID, as OCI consumers do anyway.
/// </remarks>
public static class LayerDecompression
{
    /// <summary>The longest magic number <see cref="Detect"/> looks at.</summary>
    public const int MagicLength = 4;

    /// <summary>
    /// gzip: ID1 ID2 = 1f 8b (RFC 1952 section 2.3.1); zstd: frame magic 0xFD2FB528 little-endian
    /// (RFC 8878 section 3.1.1); LZ4: frame magic 0x184D2204 little-endian. Anything else is taken
    /// as a plain tar, whose first bytes are a member name.
    /// </summary>
    public static LayerCompression Detect(ReadOnlySpan<byte> firstBytes)
    {
        if (firstBytes.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return LayerCompression.Gzip;
        }

        if (firstBytes.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
        {
            return LayerCompression.Zstd;
        }

        if (firstBytes.StartsWith((ReadOnlySpan<byte>)[0x04, 0x22, 0x4D, 0x18]))
        {
            return LayerCompression.Lz4;
        }

        return LayerCompression.None;
    }

    /// <summary>Sniffs the first bytes of <paramref name="blob"/> and returns a stream of the uncompressed tar.</summary>
    public static Stream OpenDecompressing(Stream blob, bool leaveOpen = false) => OpenDecompressing(blob, out _, leaveOpen);

    /// <inheritdoc cref="OpenDecompressing(Stream, bool)"/>
    /// <param name="detected">The compression the first bytes name.</param>
    public static Stream OpenDecompressing(Stream blob, out LayerCompression detected, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var magic = new byte[MagicLength];
        var got = 0;
        while (got < magic.Length)
        {
            var n = blob.Read(magic, got, magic.Length - got);
            if (n == 0)
            {
                break;
            }

            got += n;
        }

        var replay = new PrefixedReadStream(magic.AsMemory(0, got), blob, leaveOpen);
        detected = Detect(magic.AsSpan(0, got));
        return OpenDecompressing(replay, detected, leaveOpen: false);
    }

    /// <summary>Returns a stream of the uncompressed tar of a blob whose compression is already known.</summary>
    public static Stream OpenDecompressing(Stream blob, LayerCompression compression, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return compression switch
        {
            LayerCompression.None => leaveOpen ? new PrefixedReadStream(ReadOnlyMemory<byte>.Empty, blob, leaveOpen: true) : blob,

            // GZipStream continues with the next member after each trailer (multi-member support
            // since .NET Core 3.0), as RFC 1952 section 2.2 requires of a reader.
            LayerCompression.Gzip => new GZipStream(blob, CompressionMode.Decompress, leaveOpen),

            // ZSTD_decompressStream starts the next frame after one ends; checkEndOfStream makes a
            // blob cut inside a frame an error rather than a silently short tar.
            LayerCompression.Zstd => new ZstdSharp.DecompressionStream(blob, checkEndOfStream: true, leaveOpen: leaveOpen),
            LayerCompression.Lz4 => new Lz4FrameReadStream(blob, leaveOpen),
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "not a LayerCompression value"),
        };
    }

    /// <summary>
    /// What went wrong reading a layer blob of <paramref name="compression"/>, in words that say which
    /// stream broke: the decompressors' own messages ("Premature end of stream", "The archive entry
    /// was compressed using an unsupported compression method") say neither that the blob is damaged
    /// nor in which format, and a damaged compressed stream can surface as a malformed tar first.
    /// </summary>
    public static string Describe(Exception failure, LayerCompression compression)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var name = compression.ToName();
        var what = (failure, compression) switch
        {
            (Tar.TarFormatException, LayerCompression.None) => "not a valid tar",
            (Tar.TarFormatException, _) => $"the tar inside the {name} stream is malformed (a damaged blob?)",
            (_, LayerCompression.None) => "the blob cannot be read",
            _ => $"the {name} stream is damaged or cut short",
        };
        return $"{what}: {failure.Message.ReplaceLineEndings(" ")}";
    }
}
