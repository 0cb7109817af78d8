using System.Security.Cryptography;
using CsCheck;
using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

/// <summary>
/// The hasher must give SHA-256 whichever implementation it ends up using, however the message is
/// cut into appends; the oracle is the platform's one-shot SHA256.HashData.
/// </summary>
public sealed class Sha256HasherTests
{
    private const int Limit = Sha256Hasher.ManagedLimit;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(Limit - 1)]
    [InlineData(Limit)]
    [InlineData(Limit + 1)]
    [InlineData(3 * Limit + 17)]
    public void Digest_should_be_sha256_at_the_padding_and_limit_boundaries(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        using var hasher = new Sha256Hasher();

        hasher.Append(data);

        Assert.Equal(SHA256.HashData(data), hasher.CurrentHash());
        Assert.Equal(length > Limit, hasher.UsesPlatform);
    }

    [Fact]
    public void Digest_should_be_sha256_for_any_cut_of_any_message()
    {
        var cuts = Gen.Int[0, 70_000].Array[0, 40];
        Gen.Select(cuts, Gen.Int[0, int.MaxValue]).Sample((lengths, seed) =>
        {
            var data = new byte[lengths.Sum()];
            new Random(seed).NextBytes(data);
            using var hasher = new Sha256Hasher();
            var at = 0;
            foreach (var n in lengths)
            {
                hasher.Append(data.AsSpan(at, n));
                at += n;
            }

            Assert.Equal(SHA256.HashData(data), hasher.CurrentHash());
        }, iter: 60);
    }

    [Fact]
    public void Current_hash_should_not_end_the_message()
    {
        var data = new byte[2 * Limit];
        new Random(7).NextBytes(data);
        using var hasher = new Sha256Hasher();

        hasher.Append(data.AsSpan(0, 100));
        var early = hasher.CurrentHash();
        hasher.Append(data.AsSpan(100));

        Assert.Equal(SHA256.HashData(data.AsSpan(0, 100)), early);
        Assert.Equal(SHA256.HashData(data), hasher.CurrentHash());
    }

    [Fact]
    public void Append_after_dispose_should_throw()
    {
        var hasher = new Sha256Hasher();
        hasher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => hasher.Append([1]));
    }
}
