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

    [Fact]
    public void A_plain_file_should_close_its_descriptor_once_however_often_it_is_disposed()
    {
        var path = Path.Combine(_scratch.Path, "closed");
        File.WriteAllBytes(path, [1, 2, 3]);
        var file = PlainRead.TryOpen(path, out _)!;
        var descriptor = file.Descriptor;
        Assert.True(File.Exists($"/proc/self/fd/{descriptor}"));

        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Descriptor);
        // Another open may take the number now: a second Dispose must not close that one.
        using var other = PlainRead.TryOpen(path, out _)!;
        file.Dispose();
        Assert.Equal(3, PlainRead.ReadAll(other, path, 3)!.Length);
    }

    [Fact]
    public void A_path_with_a_nul_should_be_refused_and_a_long_one_opened()
    {
        Assert.Throws<ArgumentException>(() => PlainRead.TryOpen(Path.Combine(_scratch.Path, "a\0b"), out _));

        // Longer than the bytes the path is encoded into on the stack.
        var deep = Path.Combine(_scratch.Path, string.Join('/', Enumerable.Repeat(new string('d', 200), 6)));
        Directory.CreateDirectory(deep);
        var path = Path.Combine(deep, "f");
        File.WriteAllBytes(path, [9]);
        using var file = PlainRead.TryOpen(path, out var errno);
        Assert.Equal(0, errno);
        Assert.Equal([9], PlainRead.ReadAll(file!, path, 1));
    }
}
