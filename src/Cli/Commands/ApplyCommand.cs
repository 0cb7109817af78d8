using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tar;

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
        and symbolic links in DEST are resolved inside DEST. A hard link changes nothing about the
        file it links to (no chown, chmod or times, as GNU tar). Times are set as the tar has them,
        before 1970, after 2262 and to the second as tar -xf does. Each file is written under a
        hidden temporary name and renamed into place, so a failure or Ctrl-C never leaves a partial
        file under a layer's name; the layer's compressed stream is read to its end, so a damaged
        blob (a bad checksum) fails rather than counting as applied.

        exit codes
          0 applied; 1 failed (the message names the entry and the cause, and says DEST is partly
          applied); 2 bad command line; 130 interrupted (Ctrl-C or SIGTERM: DEST is partly applied)
        """;

    /// <summary>No options: LAYER and DEST only.</summary>
    private static readonly HashSet<string> Values = [];

    private static readonly HashSet<string> Flags = [];

    /// <summary>What the parser below accepts: for completion, and checked against <see cref="Help"/>.</summary>
    public static CommandSyntax Syntax => new("apply", Values, Flags, new Dictionary<string, IReadOnlyList<string>>(), Help);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var cl = CommandLine.Parse(args, Values, Flags);
        if (cl.Positional.Count != 2)
        {
            throw new UsageException("apply needs LAYER and DEST");
        }

        var layer = cl.Positional[0];
        var dest = cl.Positional[1];
        if (!Directory.Exists(dest))
        {
            // Said before the layer is opened: nothing was applied, so nothing is partly applied.
            throw new LayerFailedException($"{dest}: {(File.Exists(dest) ? "not a directory" : "no such directory")} (apply writes into an existing directory, as tar -C does)");
        }

        using var file = OpenLayer(layer);
        var estargz = EstargzFooter.IsPresent(file);
        using var tar = LayerDecompression.OpenDecompressing(file, out var compression);
        ApplyResult result;
        try
        {
            // Every time a tar can carry, as tar -xf keeps it (before 1970, after 2262, sub-second).
            result = LayerApplier.Apply(tar, dest, new ApplyOptions { ExactTimes = true, SkipEstargzMetadata = estargz }, cancellationToken);

            // The tar ends at its two zero blocks, before the compressed stream does: read the rest,
            // so that the gzip member's CRC-32 and length (or zstd's and LZ4's checks) are verified
            // and a damaged blob is not reported as applied.
            tar.CopyTo(Stream.Null);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"paralleldiff apply: interrupted; {dest} is partly applied (no file is left half-written)");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is LayerApplyException or FsException or UnauthorizedAccessException)
        {
            throw new LayerFailedException($"{layer}: {e.Message}; {dest} is partly applied", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A damaged or cut blob: the decompressor's own words name neither the file nor what it
            // is. Damage inside a compressed stream often shows first as a malformed tar: the rest
            // of the stream, read to its end, says which it is (its checksums fail, or they hold).
            var cause = e is TarFormatException && compression != LayerCompression.None ? DecompressorFailure(tar) ?? e : e;
            throw new LayerFailedException($"{layer}: {LayerDecompression.Describe(cause, compression)}; {dest} is partly applied", e);
        }

        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        Console.Error.WriteLine($"applied {result.EntriesApplied} entries to {dest}");
        return ExitCodes.Success;
    }

    /// <summary>The decompressor's own failure on the rest of the stream, or null when it reads to its end intact.</summary>
    private static Exception? DecompressorFailure(Stream tar)
    {
        try
        {
            tar.CopyTo(Stream.Null);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }
    }

    private static FileStream OpenLayer(string path)
    {
        if (Directory.Exists(path))
        {
            throw new LayerFailedException($"{path}: is a directory, not a layer blob");
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The system's cause, not .NET's sentence ("Could not find file '…'").
            var cause = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => Errno.Describe(Errno.ENOENT),
                UnauthorizedAccessException => Errno.Describe(Errno.EACCES),
                _ => e.Message,
            };
            throw new IOException($"{path}: {cause}", e);
        }
    }
}
