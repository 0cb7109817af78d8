namespace ParallelDiff.Core.Oci;

/// <summary>Taking back a layout that a failed command created and never stored anything in.</summary>
public sealed partial class OciLayout
{
    private static readonly string[] SkeletonFiles = ["oci-layout", "index.json", "index.json.lock"];

    /// <summary>
    /// Removes the layout at <paramref name="directory"/> if it is only the skeleton <see cref="Open"/>
    /// creates (marker, index, lock file, empty blobs/sha256): what a command that failed before its
    /// first blob leaves behind, which would otherwise look like an empty image store. Anything more
    /// (a blob, a staging file, a file of someone else's) and it is left as it is.
    /// </summary>
    /// <returns>Whether the layout was removed.</returns>
    public static bool RemoveIfEmpty(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        var blobs = Path.Combine(root, "blobs");
        var sha256 = Path.Combine(blobs, "sha256");
        try
        {
            if (!Directory.Exists(sha256)
                || Directory.EnumerateFileSystemEntries(sha256).Any()
                || Directory.EnumerateFileSystemEntries(blobs).Any(e => e != sha256)
                || Directory.EnumerateFileSystemEntries(root).Any(e => e != blobs && !SkeletonFiles.Contains(Path.GetFileName(e))))
            {
                return false;
            }

            Directory.Delete(sha256);
            Directory.Delete(blobs);
            foreach (var file in SkeletonFiles)
            {
                File.Delete(Path.Combine(root, file));
            }

            Directory.Delete(root);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Someone else is writing into it now, or it is not ours to remove: it stays.
            return false;
        }
    }
}
