using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// Reads a raw layer directory back and compares it with its snapshot.json entries: type (a second
/// name of an inode is a hardlink entry pointing at the first), mode, owner, mtime to the
/// nanosecond, size, content sha256, holes (sparse or dense), symlink target, rdev and every xattr.
/// This proves a materialized layer is the layer the vector describes.
/// </summary>
public static class VectorLayerComparison
{
    /// <summary>Per-mount bookkeeping the vectors strip because its values are random (README, "How the states were normalised").</summary>
    private static readonly HashSet<string> VolatileXattrs = new(StringComparer.Ordinal)
    {
        "trusted.overlay.origin", "trusted.overlay.uuid", "user.overlay.origin", "user.overlay.uuid",
    };

    public static IReadOnlyList<TreeDifference> Compare(IReadOnlyList<VectorEntry> expected, string layerRoot)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var differences = new List<TreeDifference>();
        var expectedByPath = expected.ToDictionary(e => TreeText.Key(e.Path));
        var seen = new HashSet<string>();
        var firstNames = new Dictionary<(ulong, ulong), byte[]>();
        foreach (var walked in TreeWalk.Walk(layerRoot, skipVanished: false))
        {
            var display = PathBytes.Display(walked.RelativePath);
            var key = TreeText.Key(walked.RelativePath);
            seen.Add(key);
            var st = walked.Status;
            var type = TreeSnapshot.TypeOf(st);
            byte[]? firstName = null;
            if (st.IsHardLinked && !firstNames.TryAdd((st.Device, st.Inode), walked.RelativePath))
            {
                firstName = firstNames[(st.Device, st.Inode)];
                type = TreeEntryType.Hardlink;
            }

            if (!expectedByPath.TryGetValue(key, out var want))
            {
                differences.Add(new TreeDifference(display, "entry", "absent", type.ToJsonName()));
                continue;
            }

            void Check(bool equal, string field, string expectedText, string actualText)
            {
                if (!equal)
                {
                    differences.Add(new TreeDifference(display, field, expectedText, actualText));
                }
            }

            Check(want.Type == type, "type", want.Type.ToJsonName(), type.ToJsonName());
            if (want.Type != type)
            {
                continue;
            }

            if (type == TreeEntryType.Hardlink)
            {
                Check(want.Target.AsSpan().SequenceEqual(firstName), "target", TreeText.Bytes(want.Target), TreeText.Bytes(firstName));
                continue;
            }

            Check(want.Mode == st.Mode, "mode", TreeText.Mode(want.Mode), TreeText.Mode(st.Mode));
            Check(want.Uid == st.Uid, "uid", TreeText.Number(want.Uid), TreeText.Number(st.Uid));
            Check(want.Gid == st.Gid, "gid", TreeText.Number(want.Gid), TreeText.Number(st.Gid));
            var mtimeNs = ((Int128)st.MtimeSeconds * 1_000_000_000) + st.MtimeNanoseconds;
            Check(want.MtimeNs == mtimeNs, "mtime_ns", TreeText.Text(want.MtimeNs), TreeText.Text(mtimeNs));
            if (type == TreeEntryType.File)
            {
                Check(want.Size == st.Size, "size", TreeText.Number(want.Size), TreeText.Number(st.Size));
                var sha = FileDigest.Sha256Hex(walked.FullPath);
                Check(want.Sha256 == sha, "sha256", TreeText.Text(want.Sha256), sha);

                // Holes show as fewer allocated 512-byte blocks than the size needs.
                var sparse = st.Blocks * 512 < st.Size;
                var wantSparse = want.Content?.IsSparse ?? false;
                Check(wantSparse == sparse, "sparse", Holes(wantSparse), Holes(sparse));
            }

            if (type == TreeEntryType.Symlink)
            {
                var target = LinuxFileSystem.Instance.ReadLink(walked.FullPath);
                Check(want.Target.AsSpan().SequenceEqual(target), "target", TreeText.Bytes(want.Target), TreeText.Bytes(target));
            }

            if (type is TreeEntryType.CharDevice or TreeEntryType.BlockDevice)
            {
                var rdev = new DeviceNumber(st.RdevMajor, st.RdevMinor);
                Check(want.Rdev == rdev, "rdev", TreeText.Text(want.Rdev), rdev.ToString());
            }

            CompareXattrs(want, walked.FullPath, display, differences);
        }

        foreach (var missing in expected.Where(e => !seen.Contains(TreeText.Key(e.Path))))
        {
            differences.Add(new TreeDifference(missing.DisplayPath, "entry", missing.Type.ToJsonName(), "missing"));
        }

        return differences;
    }

    private static void CompareXattrs(VectorEntry want, byte[] path, string display, List<TreeDifference> differences)
    {
        var fs = LinuxFileSystem.Instance;
        var actual = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in fs.ListXattrs(path).Where(n => !VolatileXattrs.Contains(n)))
        {
            actual[name] = fs.GetXattr(path, name) ?? [];
        }

        foreach (var name in want.Xattrs.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var wantValue = want.Xattrs.GetValueOrDefault(name);
            var gotValue = actual.GetValueOrDefault(name);
            var equal = wantValue is null ? gotValue is null : gotValue is not null && wantValue.AsSpan().SequenceEqual(gotValue);
            if (!equal)
            {
                differences.Add(new TreeDifference(display, "xattr " + name, TreeText.Base64(wantValue), TreeText.Base64(gotValue)));
            }
        }
    }

    private static string Holes(bool sparse) => sparse ? "sparse" : "dense";
}
