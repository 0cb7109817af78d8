using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// Reads a real directory tree into merged.json form: what a user of the tree sees. Used on a kernel
/// overlay mount (the oracle) and on a tree an applier produced; both compare with merged.json via
/// <see cref="TreeComparison"/>.
/// </summary>
public static class TreeSnapshot
{
    /// <summary>
    /// Every name under root, root "." included, in walk order (<see cref="TreeWalk"/>). Names that
    /// readdir lists but lstat cannot find are skipped, as merged.json does.
    /// </summary>
    public static IReadOnlyList<TreeEntry> Capture(string root)
    {
        var fs = LinuxFileSystem.Instance;
        var entries = new List<TreeEntry>();

        // Names sharing an inode, keyed by (device, inode); the first name met is the group's name.
        var groups = new Dictionary<(ulong Device, ulong Inode), List<int>>();
        foreach (var walked in TreeWalk.Walk(root, skipVanished: true))
        {
            var st = walked.Status;
            var type = TypeOf(st);
            var entry = new TreeEntry
            {
                Path = walked.RelativePath,
                Type = type,
                Mode = st.Mode,
                Uid = st.Uid,
                Gid = st.Gid,

                // statx seconds are already floored: the nanoseconds are always 0..999999999.
                Mtime = st.MtimeSeconds,
                Size = type == TreeEntryType.File ? st.Size : null,
                Sha256 = type == TreeEntryType.File ? FileDigest.Sha256Hex(walked.FullPath) : null,
                Target = type == TreeEntryType.Symlink ? fs.ReadLink(walked.FullPath) : null,
                Rdev = type is TreeEntryType.CharDevice or TreeEntryType.BlockDevice or TreeEntryType.Whiteout
                    ? new DeviceNumber(st.RdevMajor, st.RdevMinor)
                    : null,
                Capability = fs.GetXattr(walked.FullPath, "security.capability"),
            };
            if (st.IsHardLinked)
            {
                var key = (st.Device, st.Inode);
                if (!groups.TryGetValue(key, out var members))
                {
                    groups[key] = members = [];
                }

                members.Add(entries.Count);
            }

            entries.Add(entry);
        }

        // A link count above one says nothing by itself (the other names may be hidden); only
        // names that are visible together form a group.
        foreach (var members in groups.Values.Where(m => m.Count > 1))
        {
            var first = entries[members[0]].Path;
            foreach (var index in members)
            {
                entries[index] = entries[index] with { LinkGroup = first };
            }
        }

        return entries;
    }

    public static TreeEntryType TypeOf(FileStatus status) => status.Kind switch
    {
        FileKind.Directory => TreeEntryType.Directory,
        FileKind.Regular => TreeEntryType.File,
        FileKind.Symlink => TreeEntryType.Symlink,
        FileKind.CharDevice => status.IsWhiteout ? TreeEntryType.Whiteout : TreeEntryType.CharDevice,
        FileKind.BlockDevice => TreeEntryType.BlockDevice,
        FileKind.Fifo => TreeEntryType.Fifo,
        FileKind.Socket => TreeEntryType.Socket,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status.Kind, null),
    };
}
