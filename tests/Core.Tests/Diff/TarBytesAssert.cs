using System.Text;
using ParallelDiff.Core.Tar;
using Xunit.Sdk;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>Byte equality of two tars, failing with the first differing header named.</summary>
public static class TarBytesAssert
{
    public static void Equal(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        var at = expected.AsSpan().CommonPrefixLength(actual);
        var block = at / TarArchive.BlockSize * TarArchive.BlockSize;
        throw new XunitException(
            $"{what}: tars differ at byte {at} (expected {expected.Length} bytes, got {actual.Length}).\n"
            + $"expected block: {Describe(expected, block)}\nactual block:   {Describe(actual, block)}\n"
            + $"expected names: {Names(expected)}\nactual names:   {Names(actual)}");
    }

    private static string Describe(byte[] tar, int offset) =>
        offset + TarArchive.BlockSize > tar.Length ? "(past the end)" : Printable(tar.AsSpan(offset, 100)) + " type " + (char)tar[offset + 156];

    /// <summary>The name fields of every header block (a rough listing for the failure message).</summary>
    private static string Names(byte[] tar)
    {
        var sb = new StringBuilder();
        var offset = 0;
        while (offset + TarArchive.BlockSize <= tar.Length && tar[offset] != 0)
        {
            var size = Convert.ToInt64(Encoding.ASCII.GetString(tar, offset + 124, 11), 8);
            sb.Append(Printable(tar.AsSpan(offset, 100))).Append('(').Append((char)tar[offset + 156]).Append(") ");
            offset += TarArchive.BlockSize + (int)((size + TarArchive.BlockSize - 1) / TarArchive.BlockSize * TarArchive.BlockSize);
        }

        return sb.ToString();
    }

    private static string Printable(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
    }
}
