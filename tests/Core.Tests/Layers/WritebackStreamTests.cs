using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

public sealed class WritebackStreamTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pd-writeback-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Writeback_should_be_requested_once_per_kick_size_and_keep_every_byte()
    {
        var path = Path.Combine(_dir.FullName, "blob");
        var piece = new byte[1024 * 1024 + 7]; // not a divisor of the kick size: the requests follow the bytes, not the calls
        var expected = new MemoryStream();
        using (var stream = new WritebackStream(new FileStream(path, FileMode.CreateNew, FileAccess.Write)))
        {
            for (var i = 0; i < 20; i++)
            {
                piece.AsSpan().Fill((byte)i);
                stream.Write(piece);
                expected.Write(piece);
            }

            Assert.Equal(20L * piece.Length / WritebackStream.KickBytes, stream.Kicks);
            Assert.Equal(20L * piece.Length, stream.Length);
        }

        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_layer_written_through_an_atomic_file_should_request_writeback_before_its_commit()
    {
        var target = Path.Combine(_dir.FullName, "layer.tar");
        using var file = AtomicOutputFile.Create(target);
        file.Stream.Write(new byte[WritebackStream.KickBytes + 1]);

        Assert.Equal(1, Assert.IsType<WritebackStream>(file.Stream).Kicks);
        file.Commit();
        Assert.Equal(WritebackStream.KickBytes + 1, new FileInfo(target).Length);
    }
}
