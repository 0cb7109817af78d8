using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// One gzip member per block (RFC 1952 section 2.2: "a gzip file consists of a series of
/// members"). The 10-byte header is written here rather than by GZipStream so that every field is
/// fixed by us, not by the zlib build: no name, MTIME 0 (section 2.3.1: no time stamp available),
/// OS 255 (unknown), and XFL as gzip sets it for levels 9 and 1. The body is raw deflate
/// (RFC 1951) from System.IO.Compression at the given level; the trailer is CRC-32 and ISIZE.
/// </summary>
internal sealed class GzipBlockCodec : IBlockCodec
{
    private const int HeaderLength = 10;
    private const int TrailerLength = 8;

    // RFC 1951 section 3.2.3: BFINAL=1, BTYPE=01 (fixed Huffman), then the 7-bit end-of-block
    // code 0000000 — the smallest complete deflate stream, and what zlib emits for empty input.
    private static readonly byte[] EmptyDeflate = [0x03, 0x00];

    private readonly ZLibCompressionOptions _options;
    private readonly byte _extraFlags;

    public GzipBlockCodec(int level)
    {
        Level = level;
        _options = new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = ZLibCompressionStrategy.Default };
        _extraFlags = level switch
        {
            9 => 2,
            1 => 4,
            _ => 0,
        };
    }

    public LayerCompression Kind => LayerCompression.Gzip;

    public int Level { get; }

    public int CompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteHeader(output);

        long bodyLength;
        if (block.IsEmpty)
        {
            output.Write(EmptyDeflate);
            bodyLength = EmptyDeflate.Length;
        }
        else
        {
            // A fresh deflater per block: no dictionary or window carries over from the previous
            // block, which is what makes the member independent.
            var sink = new BufferWriterStream(output);
            using (var deflate = new DeflateStream(sink, _options, leaveOpen: true))
            {
                deflate.Write(block);
            }

            bodyLength = sink.Written;
        }

        var trailer = output.GetSpan(TrailerLength);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.Compute(block));

        // ISIZE is the input length modulo 2^32; blocks are far smaller, so it is exact.
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)block.Length);
        output.Advance(TrailerLength);
        return checked((int)(HeaderLength + bodyLength + TrailerLength));
    }

    public void Dispose()
    {
    }

    private void WriteHeader(IBufferWriter<byte> output)
    {
        var h = output.GetSpan(HeaderLength);
        h[0] = 0x1F; // ID1
        h[1] = 0x8B; // ID2
        h[2] = 8; // CM: deflate
        h[3] = 0; // FLG: no FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], 0); // MTIME
        h[8] = _extraFlags;
        h[9] = 255; // OS: unknown, so the bytes do not depend on the building machine
        output.Advance(HeaderLength);
    }
}
