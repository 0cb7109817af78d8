using System.Buffers.Binary;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// A zstd:chunked layer whose tar-split lines pass 4 MiB is written as several zstd frames (so the
/// content cache can supply them); containers/storage's reader must read them as one stream and
/// rebuild the tar with the diffID from them.
/// </summary>
public sealed class TarSplitFramesTests : IDisposable
{
    private const uint ZstdFrameMagic = 0xFD2FB528;
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-tarsplit-frames-");

    public void Dispose() => _scratch.Dispose();

    [RootWithGoFact]
    public void Tar_split_lines_in_several_frames_should_pass_the_reader_and_rebuild_the_tar()
    {
        // About 800 bytes of lines per file (its header in base64, and its own line): 7,000 files are
        // 5.6 MB of lines, two frames.
        var upper = Directory.CreateDirectory(Path.Combine(_scratch.Path, "upper")).FullName;
        for (var d = 0; d < 7; d++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(upper, $"d{d}")).FullName;
            for (var f = 0; f < 1000; f++)
            {
                File.WriteAllText(Path.Combine(dir, $"f{f:D4}.txt"), $"file {d}/{f}\n");
            }
        }

        var blob = Path.Combine(_scratch.Path, "layer.chunked.zst");
        var descriptor = SequentialLayerExporter.Export(
            Snapshot.OfOverlay(upper, []), LayerOptions.Default, CompressionSettings.For(LayerCompression.ZstdChunked), blob, _ => { }, CancellationToken.None).Descriptor;

        var position = descriptor.Annotations!["io.github.containers.zstd-chunked.tarsplit-position"].Split(':').Select(long.Parse).ToArray();
        Assert.True(position[2] > 4 * 1024 * 1024, $"{position[2]} bytes of tar-split lines: too few for a second frame");
        var tarSplit = new byte[position[1]];
        using (var file = File.OpenRead(blob))
        {
            file.Position = position[0];
            file.ReadExactly(tarSplit);
        }

        Assert.True(FrameCount(tarSplit) >= 2, "the tar-split lines are one frame");
        var report = GoVerifiers.ZstdChunked(blob, descriptor.ToJson());
        Assert.StartsWith("ok:", report, StringComparison.Ordinal);
        Assert.Contains("tar-split rebuilds " + descriptor.DiffId, report, StringComparison.Ordinal);
    }

    /// <summary>The zstd frames one after another (RFC 8878 section 3.1.1), counted by walking their headers and blocks.</summary>
    private static int FrameCount(ReadOnlySpan<byte> data)
    {
        var frames = 0;
        while (!data.IsEmpty)
        {
            Assert.Equal(ZstdFrameMagic, BinaryPrimitives.ReadUInt32LittleEndian(data));
            var descriptor = data[4];
            var singleSegment = (descriptor & 0x20) != 0;
            var fcsSize = (descriptor >> 6) switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
            var dictSize = (descriptor & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
            var at = 5 + (singleSegment ? 0 : 1) + dictSize + fcsSize;
            while (true)
            {
                var header = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16);
                var type = (header >> 1) & 3;
                var size = header >> 3;
                at += 3 + (type == 1 ? 1 : size);
                if ((header & 1) != 0)
                {
                    break;
                }
            }

            at += (descriptor & 4) != 0 ? 4 : 0;
            data = data[at..];
            frames++;
        }

        return frames;
    }
}
