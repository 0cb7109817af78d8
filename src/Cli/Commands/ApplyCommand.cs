using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff apply: unpack a layer onto a directory with containerd's rules.</summary>
public static class ApplyCommand
{
    public const string Help = """
        usage: paralleldiff apply LAYER DEST

        Applies a layer blob (uncompressed, gzip, zstd or lz4: detected by its magic bytes) onto the
        directory DEST with OCI/containerd semantics: .wh.NAME deletes NAME, .wh..wh..opq hides what
        the layer does not bring, a non-directory replaces whatever was there, hard links point at
        earlier entries. Nothing is ever written outside DEST: absolute names and '..' are refused,
        and symbolic links in DEST are resolved inside DEST.

        exit codes
          0 applied; 1 failed (the message names the entry and the cause); 2 bad command line;
          130 interrupted
        """;

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cl = CommandLine.Parse(args, new HashSet<string>(), new HashSet<string>());
        if (cl.Positional.Count != 2)
        {
            throw new UsageException("apply needs LAYER and DEST");
        }

        var layer = cl.Positional[0];
        var dest = cl.Positional[1];
        using var file = OpenLayer(layer);
        using var tar = LayerDecompression.OpenDecompressing(file);
        var result = LayerApplier.Apply(tar, dest, ApplyOptions.Default);
        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        Console.Error.WriteLine($"applied {result.EntriesApplied} entries to {dest}");
        return ExitCodes.Success;
    }

    private static FileStream OpenLayer(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (IOException e)
        {
            throw new IOException($"{path}: {e.Message}", e);
        }
    }
}
