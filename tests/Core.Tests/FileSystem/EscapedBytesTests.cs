using ParallelDiff.Core.Fs;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

public sealed class EscapedBytesTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'u', (byte)'p', 0xff, 0xfe })]
    [InlineData(new byte[] { 0xc3, 0xa9, 0x2f, 0xe2, 0x82 })] // "é/" then a cut 3-byte sequence
    [InlineData(new byte[] { 0xed, 0xb2, 0x80 })] // an encoded surrogate, which UTF-8 forbids
    [InlineData(new byte[] { 0xf0, 0x9f, 0x98, 0x80, 0x80 })] // an emoji, then a stray continuation byte
    public void Bytes_should_come_back_unchanged_through_a_string(byte[] bytes)
    {
        var text = EscapedBytes.Decode(bytes);
        Assert.Equal(bytes, EscapedBytes.Encode(text));
        Assert.Equal(bytes, PathBytes.FromString(text));
    }

    [Fact]
    public void Utf8_should_decode_as_itself_without_escapes()
    {
        var text = EscapedBytes.Decode("dir/é😀"u8);
        Assert.Equal("dir/é😀", text);
        Assert.False(EscapedBytes.HasEscapes(text));
    }

    [Fact]
    public void Invalid_bytes_should_be_escaped_so_they_can_be_told_apart()
    {
        Assert.True(EscapedBytes.HasEscapes(EscapedBytes.Decode([(byte)'a', 0xff])));
    }
}
