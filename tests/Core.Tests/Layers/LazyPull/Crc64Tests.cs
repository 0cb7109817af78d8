using ParallelDiff.Core.Layers.LazyPull;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>tar-split's CRC-64 (Go's hash/crc64 with the ISO table), eight bytes a step, against its check value and a byte-at-a-time reference.</summary>
public sealed class Crc64Tests
{
    [Fact]
    public void The_check_string_should_give_the_published_check_value()
    {
        // CRC-64/GO-ISO's check value: crc64.Checksum([]byte("123456789"), crc64.MakeTable(crc64.ISO)).
        Assert.Equal(0xb90956c775a41001UL, TarSplitPacker.Crc64Append(0, "123456789"u8));
    }

    [Fact]
    public void Any_length_in_any_pieces_should_match_the_byte_at_a_time_definition()
    {
        var random = new Random(15);
        for (var length = 0; length < 300; length += 7)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var split = length / 3;
            var pieces = TarSplitPacker.Crc64Append(TarSplitPacker.Crc64Append(0, data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(ByteAtATime(data), pieces);
        }
    }

    private static ulong ByteAtATime(ReadOnlySpan<byte> data)
    {
        var crc = ~0UL;
        foreach (var b in data)
        {
            var c = (crc ^ b) & 0xff;
            for (var j = 0; j < 8; j++)
            {
                c = (c & 1) == 1 ? (c >> 1) ^ 0xD800000000000000 : c >> 1;
            }

            crc = c ^ (crc >> 8);
        }

        return ~crc;
    }
}
