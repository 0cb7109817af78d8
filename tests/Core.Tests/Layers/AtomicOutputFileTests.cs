using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tests.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

public sealed class AtomicOutputFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pd-atomic-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Target => Path.Combine(_dir.FullName, "layer.tar.zst");

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the fsyncs left to the caller: still whole or absent while the system runs
    public void Target_should_appear_only_after_commit(bool durable)
    {
        using var file = AtomicOutputFile.Create(Target, durable);
        Assert.Equal(durable, file.Durable);
        file.Stream.Write([1, 2, 3]);
        file.Stream.Flush();

        Assert.False(File.Exists(Target));
        Assert.Equal(_dir.FullName, Path.GetDirectoryName(file.TemporaryPath));
        Assert.Matches(@"^\.layer\.tar\.zst\.tmp-[0-9a-f]{12}$", Path.GetFileName(file.TemporaryPath));
        Assert.True(File.Exists(file.TemporaryPath));

        file.Commit();

        Assert.True(file.IsCommitted);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Target));
        Assert.Equal(["layer.tar.zst"], _dir.GetFiles().Select(f => f.Name));
    }

    [Fact]
    public void Dispose_without_commit_should_leave_nothing()
    {
        var file = AtomicOutputFile.Create(Target);
        file.Stream.Write(new byte[100_000]);
        file.Dispose();

        Assert.Empty(_dir.GetFileSystemInfos());
    }

    [Fact]
    public void Dispose_without_commit_should_keep_an_existing_target()
    {
        File.WriteAllBytes(Target, [9]);
        using (var file = AtomicOutputFile.Create(Target))
        {
            file.Stream.Write([1, 2, 3]);
        }

        Assert.Equal([9], File.ReadAllBytes(Target));
        Assert.Single(_dir.GetFileSystemInfos());
    }

    [Fact]
    public void Commit_should_replace_an_existing_target()
    {
        File.WriteAllBytes(Target, [9, 9, 9, 9]);
        using var file = AtomicOutputFile.Create(Target);
        file.Stream.Write([7]);
        file.Commit();

        Assert.Equal([7], File.ReadAllBytes(Target));
        Assert.Single(_dir.GetFileSystemInfos());
    }

    [Fact]
    public void Commit_should_work_after_a_wrapping_stream_closed_the_file()
    {
        var input = TestData.Compressible(300_000, 80);
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var file = AtomicOutputFile.Create(Target);
        using (var z = new BlockCompressingStream(file.Stream, codec, 64 * 1024))
        {
            z.Write(input);
        }

        file.Commit();
        Assert.Equal(input, TestData.Decompress(File.ReadAllBytes(Target)));
    }

    [Fact]
    public void Second_commit_should_throw()
    {
        using var file = AtomicOutputFile.Create(Target);
        file.Commit();
        Assert.Throws<InvalidOperationException>(file.Commit);
    }

    [Fact]
    public void Missing_directory_should_fail_naming_the_path()
    {
        var target = Path.Combine(_dir.FullName, "no-such-dir", "blob");
        var e = Assert.Throws<IOException>(() => AtomicOutputFile.Create(target));
        Assert.Contains(target, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rename_onto_a_directory_should_fail_naming_the_target_and_leave_no_temporary()
    {
        Directory.CreateDirectory(Path.Combine(Target, "occupied"));
        var file = AtomicOutputFile.Create(Target);
        file.Stream.Write([1]);
        var e = Assert.ThrowsAny<IOException>(file.Commit);
        Assert.Contains(Target, e.Message, StringComparison.Ordinal);
        Assert.Contains("rename", e.Message, StringComparison.Ordinal);
        file.Dispose();

        Assert.Equal([Path.GetFileName(Target)], _dir.GetFileSystemInfos().Select(i => i.Name));
    }
}
