using System.Buffers;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>
/// Every header in the golden tars (made by BuildKit/containerd with Go's archive/tar) must come
/// out of the encoder byte for byte, and headers + copied data + padding + end marker must
/// rebuild each tar exactly.
/// </summary>
public sealed class TarHeaderEncoderGoldenTests
{
    [Theory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Overlay_tar_headers_should_match_golden_bytes(string vector) => AssertRebuilds(vector, "overlay");

    [Theory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Walking_tar_headers_should_match_golden_bytes(string vector) => AssertRebuilds(vector, "walking");

    private static void AssertRebuilds(string vector, string which)
    {
        var tar = VectorData.ExpectedTar(vector, which);
        if (tar is null)
        {
            // No tar: the differ failed for this vector, so it lists no entries either.
            if (which == "overlay")
            {
                Assert.Empty(VectorListing.For(vector, which));
            }

            return;
        }

        var entries = VectorListing.For(vector, which);
        var rebuilt = new ArrayBufferWriter<byte>(tar.Length);
        foreach (var entry in entries)
        {
            Assert.True(entry.Offset == rebuilt.WrittenCount, $"{vector}/{which} {entry.Display}: listed at {entry.Offset}, rebuilt at {rebuilt.WrittenCount}");

            var written = TarHeaderEncoder.Write(entry.Header, rebuilt);
            var headerBytes = rebuilt.WrittenSpan[^written..];
            AssertSameBytes(tar.AsSpan((int)entry.Offset, written), headerBytes, $"{vector}/{which} {entry.Display}");
            Assert.True(
                entry.Format == (written > TarArchive.BlockSize ? "pax" : "ustar"),
                $"{vector}/{which} {entry.Display}: listed as {entry.Format}, encoded {written} header bytes");

            // Only regular files carry data; copy it from the golden tar, pad it ourselves.
            var data = tar.AsSpan((int)entry.Offset + written, (int)entry.Header.Size);
            rebuilt.Write(data);
            rebuilt.Write(new byte[TarArchive.PaddingFor(entry.Header.Size)]);
        }

        rebuilt.Write(TarArchive.EndOfArchive);
        AssertSameBytes(tar, rebuilt.WrittenSpan, $"{vector}/{which} whole archive");
    }

    /// <summary>Equal bytes, or a message naming the first differing offset and block field.</summary>
    private static void AssertSameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        var common = Math.Min(expected.Length, actual.Length);
        var diff = expected[..common].CommonPrefixLength(actual[..common]);
        if (diff == common && expected.Length == actual.Length)
        {
            return;
        }

        Assert.Fail(diff < common
            ? $"{what}: first difference at byte {diff} (block offset {diff % TarArchive.BlockSize}): expected 0x{expected[diff]:x2}, got 0x{actual[diff]:x2}"
            : $"{what}: expected {expected.Length} bytes, got {actual.Length}");
    }
}
