using System.Buffers.Binary;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// Constants and the frame descriptor of the LZ4 frame format (lz4 doc/lz4_Frame_format.md,
/// version 1.6.x), shared by the writer (<see cref="Lz4BlockCodec"/>) and the reader
/// (<see cref="Lz4FrameReadStream"/>). All integers in the format are little-endian.
/// </summary>
internal static class Lz4Frame
{
    public const uint Magic = 0x184D2204;

    /// <summary>Skippable frames use magics 0x184D2A50 to 0x184D2A5F; decoders skip them.</summary>
    public const uint SkippableMagicBase = 0x184D2A50;

    public const uint SkippableMagicMask = 0xFFFFFFF0;

    // FLG byte (section "Frame Descriptor"): bits 7-6 version (must be 01), 5 block independence,
    // 4 block checksum, 3 content size, 2 content checksum, 1 reserved (0), 0 dictionary ID.
    public const byte FlagVersion = 0x40;
    public const byte FlagVersionMask = 0xC0;
    public const byte FlagBlockIndependence = 0x20;
    public const byte FlagBlockChecksum = 0x10;
    public const byte FlagContentSize = 0x08;
    public const byte FlagContentChecksum = 0x04;
    public const byte FlagReserved = 0x02;
    public const byte FlagDictionaryId = 0x01;

    /// <summary>The high bit of a block size field: the block is stored uncompressed.</summary>
    public const uint UncompressedBlockBit = 0x80000000;

    /// <summary>A linked block may refer back up to 64 KiB into the previous blocks' output.</summary>
    public const int HistoryLength = 64 * 1024;

    /// <summary>BD byte for a 4 MiB block maximum: block-max-size code 7 in bits 6-4.</summary>
    public const byte BlockDescriptor4MiB = 7 << 4;

    public const int MaxBlockLength4MiB = 4 * 1024 * 1024;

    /// <summary>Magic, FLG, BD, 8-byte content size, header checksum.</summary>
    public const int HeaderWithContentSizeLength = 4 + 1 + 1 + 8 + 1;

    /// <summary>The block maximum for a BD byte: code 4..7 → 64 KiB, 256 KiB, 1 MiB, 4 MiB.</summary>
    public static int MaxBlockLength(byte blockDescriptor)
    {
        var code = (blockDescriptor >> 4) & 0x7;
        if ((blockDescriptor & 0x8F) != 0 || code < 4)
        {
            throw new InvalidDataException($"LZ4 frame: invalid block descriptor byte 0x{blockDescriptor:x2}");
        }

        return 1 << (8 + (2 * code));
    }

    /// <summary>
    /// HC, the descriptor checksum: the second byte of XXH32 (seed 0) over the descriptor from FLG
    /// up to, not including, HC.
    /// </summary>
    public static byte HeaderChecksum(ReadOnlySpan<byte> descriptor) => (byte)(Xxh32.Hash(descriptor) >> 8);

    /// <summary>Writes a descriptor for independent blocks, content size and content checksum.</summary>
    public static void WriteHeader(Span<byte> target, long contentSize)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(target, Magic);
        target[4] = FlagVersion | FlagBlockIndependence | FlagContentSize | FlagContentChecksum;
        target[5] = BlockDescriptor4MiB;
        BinaryPrimitives.WriteUInt64LittleEndian(target[6..], (ulong)contentSize);
        target[14] = HeaderChecksum(target[4..14]);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the input ends; returns the count read.</summary>
    public static int ReadAtMost(Stream input, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = input.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Fills <paramref name="buffer"/> or reports which part of the frame was cut off.</summary>
    public static void ReadExactly(Stream input, Span<byte> buffer, string what)
    {
        if (ReadAtMost(input, buffer) < buffer.Length)
        {
            throw new InvalidDataException($"LZ4 stream: truncated {what}");
        }
    }
}
