using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.FileSystem;

public sealed class PlainReadTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-plain-read-");

    public void Dispose() => _scratch.Dispose();

    private byte[]? Read(int size, int expected, int limit = int.MaxValue - 64)
    {
        var path = Path.Combine(_scratch.Path, $"f{size}-{expected}");
        var content = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, content);
        using var handle = PlainRead.TryOpen(path, out var errno);
        Assert.NotNull(handle);
        Assert.Equal(0, errno);
        var read = PlainRead.ReadAll(handle, path, expected, limit);
        if (read is not null)
        {
            Assert.Equal(content, read);
        }

        return read;
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(400, 400)]
    [InlineData(400, 100)]
    [InlineData(400, 399)]
    [InlineData(400, 401)]
    [InlineData(400, 4096)]
    [InlineData(70_000, 16)]
    public void Should_read_the_whole_file_whatever_size_was_expected(int size, int expected) =>
        Assert.NotNull(Read(size, expected));

    [Theory]
    [InlineData(0, 4096)]
    [InlineData(835, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(70_000, 4096)]
    public void A_read_that_takes_a_short_read_for_the_end_should_still_give_the_whole_file(int size, int expected)
    {
        var path = Path.Combine(_scratch.Path, $"short{size}");
        var content = Enumerable.Range(0, size).Select(i => (byte)(i * 11)).ToArray();
        File.WriteAllBytes(path, content);
        using var handle = PlainRead.TryOpen(path, out _)!;
        using var bytes = PlainRead.ReadAllPooled(handle, path, expected, int.MaxValue - 64, shortReadEnds: true);
        Assert.Equal(content, bytes.Span.ToArray());
    }

    [Fact]
    public void A_file_longer_than_the_limit_should_read_as_none() =>
        Assert.Null(Read(401, 400, limit: 400));

    [Fact]
    public void A_missing_file_should_say_so_by_its_errno()
    {
        Assert.Null(PlainRead.TryOpen(Path.Combine(_scratch.Path, "absent"), out var errno));
        Assert.True(PlainRead.IsMissing(errno));
    }

    [Theory]
    [InlineData(400, null)]
    [InlineData(400, 400L)]
    [InlineData(400, 401L)]
    [InlineData(0, 0L)]
    [InlineData(3_000_000, 3_000_000L)]
    [InlineData(3_000_000, null)]
    public void Sha256_should_hash_the_whole_file_and_give_its_length(int size, long? expected)
    {
        var path = Path.Combine(_scratch.Path, $"h{size}");
        var content = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, content);
        using var handle = PlainRead.TryOpen(path, out _)!;

        Assert.Equal((size, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content))), PlainRead.Sha256(handle, path, expected));
    }

    [Fact]
    public void Sha256_of_a_file_longer_than_expected_should_measure_it_and_give_no_digest()
    {
        var path = Path.Combine(_scratch.Path, "longer");
        File.WriteAllBytes(path, new byte[500]);
        using var handle = PlainRead.TryOpen(path, out _)!;

        Assert.Equal((500L, (string?)null), PlainRead.Sha256(handle, path, 400));
    }
}
