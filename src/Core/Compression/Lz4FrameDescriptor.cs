using System.Buffers.Binary;

namespace ParallelDiff.Core.Compression;

/// <summary>The parsed, checked frame descriptor of an LZ4 frame (the bytes after the magic, up to and including HC).</summary>
internal readonly record struct Lz4FrameDescriptor(
    bool LinkedBlocks, bool BlockChecksum, bool ContentChecksum, long? ContentSize, int MaxBlockLength)
{
    /// <summary>Reads the descriptor that follows a frame magic and verifies its HC byte.</summary>
    public static Lz4FrameDescriptor Read(Stream input)
    {
        Span<byte> d = stackalloc byte[1 + 1 + 8 + 1];
        Lz4Frame.ReadExactly(input, d[..2], "frame descriptor");
        var flags = d[0];
        if ((flags & Lz4Frame.FlagVersionMask) != Lz4Frame.FlagVersion || (flags & Lz4Frame.FlagReserved) != 0)
        {
            throw new InvalidDataException($"LZ4 frame: unsupported FLG byte 0x{flags:x2}");
        }

        if ((flags & Lz4Frame.FlagDictionaryId) != 0)
        {
            throw new InvalidDataException("LZ4 frame: frames compressed with a dictionary are not supported");
        }

        var maxBlock = Lz4Frame.MaxBlockLength(d[1]);
        var hasSize = (flags & Lz4Frame.FlagContentSize) != 0;
        var length = 2 + (hasSize ? 8 : 0);
        Lz4Frame.ReadExactly(input, d[2..(length + 1)], "frame descriptor");
        if (d[length] != Lz4Frame.HeaderChecksum(d[..length]))
        {
            throw new InvalidDataException("LZ4 frame: descriptor checksum mismatch");
        }

        return new Lz4FrameDescriptor(
            LinkedBlocks: (flags & Lz4Frame.FlagBlockIndependence) == 0,
            BlockChecksum: (flags & Lz4Frame.FlagBlockChecksum) != 0,
            ContentChecksum: (flags & Lz4Frame.FlagContentChecksum) != 0,
            ContentSize: hasSize ? (long)BinaryPrimitives.ReadUInt64LittleEndian(d[2..]) : null,
            MaxBlockLength: maxBlock);
    }
}
