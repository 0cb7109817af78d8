using System.Globalization;
using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Where a layer blob is written before its digest is known: a hidden file in the layout's own
/// blobs/sha256 (so moving it under its digest is a rename on one file system), named
/// ".staging-PID-RANDOM" after the writing process. A run killed with -9 leaves such files, and
/// the temporary files of half-written configs, manifests and index.json (".NAME.tmp-RANDOM");
/// <see cref="RemoveLeftovers"/> clears the ones no live writer can still be using, so that a
/// resumed layout holds exactly the files a clean run's does.
/// </summary>
public static class LayoutStaging
{
    private const string StagingPrefix = ".staging-";

    /// <summary>A fresh staging path for one layer blob of this process.</summary>
    public static string NewBlobPath(OciLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var name = $"{StagingPrefix}{Environment.ProcessId}-{TempNames.Suffix()}";
        return Path.Combine(layout.Root, "blobs", "sha256", name);
    }

    /// <summary>
    /// Removes leftover staging and temporary files from the layout: a staging file of a process that
    /// no longer runs (or of this one, which has staged nothing yet when it calls this), and a
    /// temporary file that no process holds open (an atomic write holds its file open until the rename).
    /// </summary>
    /// <returns>The files removed.</returns>
    public static IReadOnlyList<string> RemoveLeftovers(OciLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        // Canonical directories: /proc/PID/fd links name files by their resolved paths.
        var candidates = new[] { layout.Root, Path.Combine(layout.Root, "blobs", "sha256") }
            .Where(Directory.Exists)
            .Select(dir => Encoding.UTF8.GetString(SnapshotPaths.CanonicalDirectory(dir, "layout directory")))
            .SelectMany(dir => Directory.EnumerateFiles(dir, ".*"))
            .Where(path => Path.GetFileName(path).Contains(".tmp-", StringComparison.Ordinal) || StagingProcess(path) is not null)
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var open = OpenFiles.All();
        var removed = new List<string>();
        foreach (var path in candidates)
        {
            if (open.Contains(path))
            {
                continue;
            }

            if (StagingProcess(path) is { } pid && pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}"))
            {
                // Between its rename and its move into place a staging file is closed: its writer's
                // being alive is what says it is still wanted.
                continue;
            }

            try
            {
                File.Delete(path);
                removed.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next run: a leftover is hidden and never read as a blob.
            }
        }

        return removed;
    }

    /// <summary>The process id in ".staging-PID-…" (also inside "..staging-PID-….tmp-…", its atomic write's temporary name).</summary>
    private static int? StagingProcess(string path)
    {
        var name = Path.GetFileName(path).TrimStart('.');
        if (!name.StartsWith(StagingPrefix[1..], StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[(StagingPrefix.Length - 1)..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }
}
