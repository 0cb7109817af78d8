using System.Diagnostics;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>Runs a command-line tool with bytes on stdin and returns its stdout, failing on a non-zero exit.</summary>
public static class ExternalTool
{
    public static byte[] Run(string fileName, IEnumerable<string> arguments, ReadOnlySpan<byte> stdin) =>
        RunAsync(fileName, arguments, stdin.ToArray()).GetAwaiter().GetResult();

    public static async Task<byte[]> RunAsync(string fileName, IEnumerable<string> arguments, byte[] stdin)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");

        // Feed stdin while draining stdout and stderr, or a tool with full pipes would block us both.
        var feed = Task.Run(async () =>
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin);
            }
            catch (IOException)
            {
                // The tool exited early (it will report why on stderr and by its exit code).
            }
            finally
            {
                process.StandardInput.Close();
            }
        });
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.WhenAll(feed, copy, stderr);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {await stderr}");
        }

        return stdout.ToArray();
    }

    /// <summary>Python's gzip module, an independent reader of multi-member gzip.</summary>
    public static byte[] PythonGunzip(ReadOnlySpan<byte> blob) => Run(
        "python3",
        ["-c", "import gzip,sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"],
        blob);

    /// <summary>The reference command-line decoder for a compression kind: gzip -dc, zstd -dc or lz4 -dc.</summary>
    public static byte[] CliDecompress(ParallelDiff.Core.Compression.LayerCompression kind, ReadOnlySpan<byte> blob) => kind switch
    {
        ParallelDiff.Core.Compression.LayerCompression.Gzip => Run("gzip", ["-dc"], blob),
        ParallelDiff.Core.Compression.LayerCompression.Zstd => Run("zstd", ["-dc", "-q"], blob),
        ParallelDiff.Core.Compression.LayerCompression.Lz4 => Run("lz4", ["-dc"], blob),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
