using System.Security.Cryptography;
using Xunit;

namespace ParallelDiff.Core.Tests;

public sealed class Sha256TextTests
{
    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    public void A_digest_should_be_the_prefix_and_the_hashs_lower_case_hex(string content)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

        Assert.Equal(expected, Sha256Text.Of(bytes));
        Assert.Equal(expected, Sha256Text.FromHash(SHA256.HashData(bytes)));
    }

    [Fact]
    public void A_well_known_digest_should_come_out_as_published()
    {
        // FIPS 180-2's "abc".
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256Text.Of("abc"u8));
    }

    [Fact]
    public void A_hash_of_another_length_should_be_refused() =>
        Assert.Throws<ArgumentException>(() => Sha256Text.FromHash(new byte[20]));
}
