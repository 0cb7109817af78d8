using System.Globalization;
using System.Text;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// What the last trim of a --cache directory left: the bytes of its blobs and frames, in
/// .paralleldiff/size. A run that added nothing to the cache cannot have taken it over its cap, so it
/// need not list every entry to find out (three thousand lstat calls for export-small's cache, far
/// more for a cache of frames); it reads this instead, and trims only when the cap is now below what
/// the record says (the cap was lowered). What this relies on: every run that adds entries walks and
/// rewrites the record at its end. A run killed before that leaves the cache over its cap until the
/// next run that adds anything.
/// </summary>
internal static class CacheSizeRecord
{
    private static string PathIn(string root) => Path.Combine(root, ".paralleldiff", "size");

    /// <summary>The bytes the record holds; null when there is none or it cannot be read.</summary>
    public static long? Read(string root)
    {
        using var handle = PlainRead.TryOpen(PathIn(root), out _);
        if (handle is null)
        {
            return null;
        }

        try
        {
            var text = PlainRead.ReadAll(handle, PathIn(root), 32, limit: 64) is { } bytes ? Encoding.ASCII.GetString(bytes).Trim() : null;
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Records the bytes a trim left, replacing the record whole; a cache that cannot take it only walks again next time.</summary>
    public static void Write(string root, long bytes)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(PathIn(root))!);
            using var output = Layers.AtomicOutputFile.Create(PathIn(root), durable: false);
            output.Stream.Write(Encoding.ASCII.GetBytes(bytes.ToString(CultureInfo.InvariantCulture) + "\n"));
            output.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not recorded: the next run that finds no record walks the cache.
        }
    }
}
