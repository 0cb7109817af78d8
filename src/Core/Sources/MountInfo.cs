using System.Text;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

/// <summary>
/// Finds an overlay mount in a mountinfo table (proc_pid_mountinfo(5)) and turns it into a
/// snapshot: the super options are the overlay's own options, which the kernel prints relative to
/// the module defaults (ovl_show_options), so the defaults must be those of the kernel that mounted it.
/// </summary>
public static class MountInfo
{
    public const string ProcSelfPath = "/proc/self/mountinfo";

    /// <summary>
    /// Superblock flags show_mountinfo prints ahead of the file system's own options. They are VFS
    /// state rather than options a snapshotter chose, so the BuildKit check does not see them.
    /// </summary>
    private static readonly HashSet<string> PrintedSuperblockFlags = new(StringComparer.Ordinal) { "ro", "rw", "sync", "dirsync", "mand", "lazytime" };

    /// <summary>Every line of a mountinfo table; <paramref name="origin"/> names it in errors.</summary>
    /// <exception cref="SnapshotException">A line is malformed; the message names origin and line number.</exception>
    public static IReadOnlyList<MountInfoEntry> ParseTable(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var entries = new List<MountInfoEntry>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length > 0)
            {
                entries.Add(MountInfoEntry.Parse(lines[i], $"{origin}:{i + 1}"));
            }
        }

        return entries;
    }

    /// <summary>
    /// The mount at <paramref name="mountPoint"/> (an absolute path as the table shows it). When
    /// mounts are stacked on one point the last line is the one on top, the one a path reaches.
    /// </summary>
    /// <exception cref="SnapshotException">Nothing is mounted there.</exception>
    public static MountInfoEntry Find(IReadOnlyList<MountInfoEntry> table, string mountPoint, string origin)
    {
        ArgumentNullException.ThrowIfNull(table);
        var wanted = Normalize(mountPoint);
        return table.LastOrDefault(e => e.MountPoint == wanted)
            ?? throw new SnapshotException($"{origin}: nothing is mounted at {wanted}");
    }

    /// <summary>The overlay options of a mountinfo entry, checked to be a whole kernel overlay mount with absolute paths.</summary>
    /// <exception cref="SnapshotException">Not an overlay, a bind of a subtree, options the kernel would refuse, or relative paths.</exception>
    public static OverlayMountOptions ReadOverlay(MountInfoEntry entry, string origin, OverlayModuleDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var where = $"{origin}: {entry.MountPoint}";
        if (entry.FsType != "overlay")
        {
            throw new SnapshotException($"{where} is a {entry.FsType} mount, not a kernel overlay");
        }

        if (entry.Root != "/")
        {
            throw new SnapshotException($"{where} shows only {entry.Root} of an overlay (a bind mount of a subtree); give the overlay's own mount point");
        }

        OverlayMountOptions options;
        try
        {
            options = OverlayMountOptions.Parse(entry.SuperOptions.Where(o => !PrintedSuperblockFlags.Contains(o)), defaults);
        }
        catch (SnapshotException e)
        {
            throw new SnapshotException($"{where}: {e.Message}", e);
        }

        // The kernel keeps paths as they were given; a relative one was relative to the working
        // directory of whoever mounted the overlay, which mountinfo does not record.
        var paths = options.Lowers.Select(l => l.Path).Append(options.UpperDir).Append(options.WorkDir).OfType<string>();
        foreach (var path in paths.Where(p => !p.StartsWith('/')))
        {
            throw new SnapshotException($"{where}: the overlay was mounted with the relative path \"{path}\", relative to a working directory mountinfo does not record");
        }

        return options;
    }

    /// <summary>
    /// The snapshot of the overlay mounted at <paramref name="mountPoint"/>, from this process's
    /// /proc/self/mountinfo and the running overlay module's defaults.
    /// </summary>
    /// <exception cref="SnapshotException">As for <see cref="Load(string, string, string, OverlayModuleDefaults?)"/>.</exception>
    public static Snapshot Load(string mountPoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(mountPoint);

        // The table shows canonical paths: resolve symbolic links in the argument first.
        var canonical = Encoding.UTF8.GetString(SnapshotPaths.CanonicalDirectory(mountPoint, "mount point"));
        return Load(canonical, File.ReadAllText(ProcSelfPath), ProcSelfPath, OverlayModuleDefaults.FromSysfs());
    }

    /// <summary>The snapshot of the overlay at <paramref name="mountPoint"/> in a given mountinfo table.</summary>
    /// <param name="mountPoint">An absolute path as the table shows it.</param>
    /// <param name="mountInfoText">The table's text.</param>
    /// <param name="origin">Where the text came from, for messages.</param>
    /// <param name="defaults">The module defaults of the kernel that printed the table; <see cref="OverlayModuleDefaults.Builtin"/> when null.</param>
    /// <exception cref="SnapshotException">No such mount, not an overlay, or options this tool cannot diff; the message names origin and mount point.</exception>
    public static Snapshot Load(string mountPoint, string mountInfoText, string origin, OverlayModuleDefaults? defaults = null)
    {
        var entry = Find(ParseTable(mountInfoText, origin), mountPoint, origin);
        var options = ReadOverlay(entry, origin, defaults);
        try
        {
            return options.ToSnapshot();
        }
        catch (SnapshotException e)
        {
            throw new SnapshotException($"{origin}: {entry.MountPoint}: {e.Message}", e);
        }
    }

    private static string Normalize(string mountPoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(mountPoint);
        var full = Path.GetFullPath(mountPoint);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }
}
