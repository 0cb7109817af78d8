using System.Formats.Tar;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A file rewritten in place at the same size while diff reads it: the layer either holds one
/// whole version, or the diff fails saying the file changed as it was read. Never a mix, exit 0.
/// </summary>
public sealed class ChangedWhileReadTests : IDisposable
{
    private const int FileBytes = 64 << 20;
    private const int Chunk = 1 << 20;
    private readonly SampleTree _tree = new();

    /// <summary>Writes the rewriter has begun: counted before each, so a run during which it is 0 saw no write.</summary>
    private int _writes;

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task A_file_rewritten_while_read_should_never_give_a_mixed_layer()
    {
        var file = Path.Combine(_tree.Upper, "model.bin");
        await File.WriteAllBytesAsync(file, Enumerable.Repeat((byte)'A', FileBytes).ToArray());
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() => Rewrite(file, stop.Token));
        var failures = 0;
        try
        {
            for (var run = 0; run < 4; run++)
            {
                var blob = Path.Combine(_tree.Output, $"layer-{run}.tar");
                var writesBefore = Volatile.Read(ref _writes);
                var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--compression", "none", "-o", blob);
                if (result.ExitCode != 0)
                {
                    Assert.Equal(1, result.ExitCode);
                    Assert.Contains("model.bin: file changed as we read it", result.StdErr, StringComparison.Ordinal);
                    Assert.False(File.Exists(blob));
                    failures++;
                    continue;
                }

                var data = ReadEntry(blob, "model.bin");
                if (data.All(b => b == data[0]))
                {
                    continue;
                }

                // A mix is also what the file holds at rest when the writer was stopped (descheduled
                // on a loaded machine) in the middle of a pass: then nothing changed while it was read.
                Assert.True(
                    Volatile.Read(ref _writes) == writesBefore,
                    $"run {run}: exit 0 with a layer that mixes two versions of model.bin while the file was being written");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        // The writer never stops, so most runs must have noticed it.
        Assert.True(failures > 0, "no run noticed the file changing");
    }

    /// <summary>Overwrites the file in place, chunk by chunk, alternating all-A and all-B, until stopped.</summary>
    private void Rewrite(string path, CancellationToken stop)
    {
        var fill = (byte)'B';
        var chunk = new byte[Chunk];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        while (!stop.IsCancellationRequested)
        {
            Array.Fill(chunk, fill);
            stream.Position = 0;
            for (var written = 0; written < FileBytes && !stop.IsCancellationRequested; written += Chunk)
            {
                Interlocked.Increment(ref _writes);
                stream.Write(chunk);
                stream.Flush();
            }

            fill = fill == (byte)'A' ? (byte)'B' : (byte)'A';
        }
    }

    private static byte[] ReadEntry(string tarPath, string name)
    {
        using var reader = new TarReader(File.OpenRead(tarPath));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == name && entry.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                return copy.ToArray();
            }
        }

        throw new InvalidDataException($"{name} is not in {tarPath}");
    }
}
