using System.Buffers;
using ParallelDiff.Core.Export;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class EntryStatFieldsTests
{
    private static byte[] Names(params string[] names)
    {
        var output = new ArrayBufferWriter<byte>();
        EntryStatFields.WriteXattrNames(output, names);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData("trusted.overlay.origin", "trusted.overlay.impure")]
    [InlineData("user.b", "user.a")]
    [InlineData("security.selinux", "trusted.overlay.opaque", "user.x", "system.posix_acl_access")]
    public void Xattr_names_should_be_written_in_one_order_whatever_order_the_kernel_listed_them(params string[] names)
    {
        var sorted = names.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Names(sorted), Names(names));
        Assert.Equal(Names(sorted), Names([.. names.Reverse()]));
    }

    [Fact]
    public void Xattr_names_should_be_counted_and_each_length_prefixed()
    {
        // count 2, then 3 "a.b" 3 "a.c" (little-endian 32-bit lengths).
        Assert.Equal(
            [2, 0, 0, 0, 3, 0, 0, 0, (byte)'a', (byte)'.', (byte)'b', 3, 0, 0, 0, (byte)'a', (byte)'.', (byte)'c'],
            Names("a.c", "a.b"));
        Assert.Equal([0, 0, 0, 0], Names());
    }
}
