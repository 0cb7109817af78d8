namespace ParallelDiff.Core.Tar;

/// <summary>The framing around headers in a tar stream: 512-byte blocks and the end marker.</summary>
public static class TarArchive
{
    /// <summary>Every header and every data run occupies whole 512-byte blocks (tar(5)).</summary>
    public const int BlockSize = 512;

    private static readonly byte[] EndOfArchiveBlocks = new byte[2 * BlockSize];

    /// <summary>
    /// How many NUL bytes follow <paramref name="size"/> bytes of file data so the next header
    /// starts on a block boundary (tar(5); Go archive/tar blockPadding).
    /// </summary>
    public static int PaddingFor(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return (int)(-size & (BlockSize - 1));
    }

    /// <summary>
    /// Two zero blocks and nothing more: what Go's Writer.Close writes, so the layer ends exactly
    /// there (no padding to a 10 KiB record as GNU tar would add).
    /// </summary>
    public static ReadOnlySpan<byte> EndOfArchive => EndOfArchiveBlocks;
}
