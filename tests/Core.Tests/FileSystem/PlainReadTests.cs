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

    [Fact]
    public void A_file_longer_than_the_limit_should_read_as_none() =>
        Assert.Null(Read(401, 400, limit: 400));

    [Fact]
    public void A_missing_file_should_say_so_by_its_errno()
    {
        Assert.Null(PlainRead.TryOpen(Path.Combine(_scratch.Path, "absent"), out var errno));
        Assert.True(PlainRead.IsMissing(errno));
    }
}
