using System.Buffers.Binary;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// Recognises an eStargz blob by its footer (stargz-snapshotter estargz/gzip.go: the last 51 bytes
/// are an empty gzip member whose FEXTRA subfield 'S','G' holds 16 hex digits of the TOC's offset
/// and "STARGZ"). A plain gzip reader sees that member as nothing, and the TOC as a file named
/// stargz.index.json; an applier that knows the format leaves it (and the landmarks) out.
/// </summary>
public static class EstargzFooter
{
    public const int Size = 51;

    /// <summary>Whether a seekable blob ends with an eStargz footer; the stream's position is kept.</summary>
    public static bool IsPresent(Stream blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!blob.CanSeek || blob.Length < Size)
        {
            return false;
        }

        var position = blob.Position;
        try
        {
            Span<byte> footer = stackalloc byte[Size];
            blob.Seek(-Size, SeekOrigin.End);
            blob.ReadExactly(footer);
            return Matches(footer);
        }
        finally
        {
            blob.Position = position;
        }
    }

    /// <summary>The footer's fields: gzip magic, FLG with FEXTRA, XLEN 26, subfield "SG" of 22 bytes ending "STARGZ".</summary>
    public static bool Matches(ReadOnlySpan<byte> footer) =>
        footer.Length == Size
        && footer[0] == 0x1F && footer[1] == 0x8B && footer[2] == 8 && (footer[3] & 4) != 0
        && BinaryPrimitives.ReadUInt16LittleEndian(footer[10..]) == 26
        && footer[12] == (byte)'S' && footer[13] == (byte)'G'
        && BinaryPrimitives.ReadUInt16LittleEndian(footer[14..]) == 22
        && footer.Slice(32, 6).SequenceEqual("STARGZ"u8);
}
