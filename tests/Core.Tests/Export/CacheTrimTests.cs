using ParallelDiff.Core.Export;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>A cache over its cap loses its least recently used files first, down to nine tenths of the cap; other writers' temporary files stay.</summary>
public sealed class CacheTrimTests : IDisposable
{
    private readonly ScratchDirectory _dir = ScratchDirectory.Create("pd-trim-");

    public void Dispose() => _dir.Dispose();

    private string Entry(string name, int size, int minutesAgo)
    {
        var path = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[size]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-minutesAgo));
        return path;
    }

    [Fact]
    public void A_cache_over_its_cap_should_lose_the_least_recently_used_first()
    {
        var oldest = Entry("a/x/1", 400, 30);
        var older = Entry("b/2", 400, 20);
        var recent = Entry("a/y/3", 400, 10);
        var newest = Entry("b/4", 400, 0);
        var writing = Entry("a/.tmp-99-abc", 4000, 0);

        var result = CacheTrim.Run([Path.Combine(_dir.Path, "a"), Path.Combine(_dir.Path, "b")], capacity: 1000);

        Assert.Equal(1600, result.BytesBefore);
        Assert.Equal(800, result.BytesAfter);
        Assert.Equal(2, result.Removed);
        Assert.False(File.Exists(oldest));
        Assert.False(File.Exists(older));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(newest));
        Assert.True(File.Exists(writing));
    }

    [Fact]
    public void A_cache_under_its_cap_should_be_left_alone()
    {
        var only = Entry("a/1", 400, 60);
        var result = CacheTrim.Run([Path.Combine(_dir.Path, "a"), Path.Combine(_dir.Path, "missing")], capacity: 1000);
        Assert.Equal(0, result.Removed);
        Assert.True(File.Exists(only));
    }
}
