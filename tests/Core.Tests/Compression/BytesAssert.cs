using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>Byte comparison that reports lengths and the first differing offset instead of dumping megabytes.</summary>
public static class BytesAssert
{
    public static void Equal(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        var common = expected.CommonPrefixLength(actual);
        Assert.Fail($"{what}: expected {expected.Length} bytes, got {actual.Length}; first difference at offset {common}");
    }
}
