namespace ParallelDiff.Core.Export;

/// <summary>
/// Keeps a --cache directory under its size cap: when its blobs and frames together exceed the cap,
/// the least recently used go first (by mtime, which a hit moves) until they fill at most nine
/// tenths of it, so that a cache at its cap is not trimmed again by every run. Safe while other
/// exports use the directory: an entry removed under a reader is still read whole (an open file
/// outlives its name), and one removed before it is opened is a miss; temporary files of writers
/// are left alone unless a day old (a killed writer's).
/// </summary>
public static class CacheTrim
{
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromDays(1);

    /// <param name="folders">The folders whose files count (blobs, frames), searched recursively.</param>
    public static CacheTrimResult Run(IEnumerable<string> folders, long capacity)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var now = DateTime.UtcNow;
        var files = new List<FileInfo>();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
            {
                // A writer's temporary file (Fs.TempNames.Beside: ".NAME.tmp-SUFFIX").
                if (!file.Name.Contains(".tmp-", StringComparison.Ordinal))
                {
                    files.Add(file);
                }
                else if (now - file.LastWriteTimeUtc > AbandonedAfter)
                {
                    Remove(file);
                }
            }
        }

        var before = files.Sum(f => f.Length);
        var size = before;
        var removed = 0;
        if (size > capacity)
        {
            var goal = capacity / 10 * 9;
            foreach (var file in files.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.FullName, StringComparer.Ordinal))
            {
                if (size <= goal)
                {
                    break;
                }

                var length = file.Length;
                if (Remove(file))
                {
                    size -= length;
                    removed++;
                }
            }
        }

        return new CacheTrimResult(before, size, removed);
    }

    private static bool Remove(FileInfo file)
    {
        try
        {
            file.Delete();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone already (another export trimmed it) or not ours to remove: either way not counted.
            return false;
        }
    }
}

/// <summary>What a trim found and left: bytes before and after, and the files it removed.</summary>
/// <param name="Walked">False when the sizes are the last trim's record, the cache not listed (<see cref="CacheSizeRecord"/>).</param>
public sealed record CacheTrimResult(long BytesBefore, long BytesAfter, int Removed, bool Walked = true);
