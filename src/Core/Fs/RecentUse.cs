namespace ParallelDiff.Core.Fs;

/// <summary>
/// Marks a cache entry as just used by moving its mtime to now: the --cache directory's least
/// recently used entries are the ones it trims first (Export.CacheTrim).
/// </summary>
internal static class RecentUse
{
    public static void Mark(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Evicted meanwhile, or a read-only cache: the entry was read whole all the same; only
            // the eviction order does not learn of it.
        }
    }
}
