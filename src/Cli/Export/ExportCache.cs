using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Export;

/// <summary>export's --cache DIR and --cache-size: the directory opened before the export and trimmed after it.</summary>
internal static class ExportCache
{
    /// <summary>--cache DIR opened (made if absent), with --cache-size or cache.size as its cap; null without --cache.</summary>
    /// <param name="spill">The command's frame spill file (cache.spill), or null.</param>
    public static LayerCache? Open(CommandLine cl, Settings settings, Core.Layers.LazyPull.SpillFrames? spill)
    {
        if (cl.Value("--cache") is not { } directory)
        {
            return null;
        }

        var size = settings.CacheSize;
        if (cl.Value("--cache-size") is { } text)
        {
            try
            {
                size = Actors.HoconByteSize.Parse(text) ?? throw new FormatException("empty");
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new UsageException($"--cache-size {text}: not a size (e.g. 512MiB, 20GiB): {e.Message}");
            }
        }

        try
        {
            return LayerCache.Open(directory, size, settings.CacheMemory, settings.CacheDiskFrameMin, spill);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--cache {directory}: cannot be used: {e.Message}", e);
        }
    }

    /// <summary>Brings the cache under its cap; says so on stderr when it removed anything.</summary>
    public static void Trim(LayerCache cache, bool quiet)
    {
        var trimmed = cache.Trim();
        if (trimmed.Removed > 0 && !quiet)
        {
            Console.Error.WriteLine(FormattableString.Invariant(
                $"paralleldiff export: --cache {cache.Root}: {trimmed.Removed} least recently used entries removed ({trimmed.BytesBefore / 1048576.0:F1} MiB -> {trimmed.BytesAfter / 1048576.0:F1} MiB, cap {cache.Capacity / 1048576.0:F1} MiB)"));
        }
    }
}
