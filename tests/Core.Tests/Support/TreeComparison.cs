using System.Text;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// Compares two trees in merged.json form, name by name: type, mode, uid, gid, size, sha256,
/// target, rdev, capability, link_group, and the mtime of non-directories (see the vectors' README,
/// "What must match"). The result is a readable list; empty means equal.
/// </summary>
public static class TreeComparison
{
    public static IReadOnlyList<TreeDifference> Compare(
        IReadOnlyList<TreeEntry> expected, IReadOnlyList<TreeEntry> actual, TreeComparisonOptions? options = null)
    {
        options ??= TreeComparisonOptions.Default;
        var differences = new List<TreeDifference>();
        var actualByPath = new Dictionary<string, TreeEntry>();
        foreach (var entry in actual.Where(e => Included(e, options)))
        {
            if (!actualByPath.TryAdd(TreeText.Key(entry.Path), entry))
            {
                differences.Add(new TreeDifference(entry.DisplayPath, "entry", "one entry", "listed twice"));
            }
        }

        var seen = new HashSet<string>();
        foreach (var want in expected.Where(e => Included(e, options)))
        {
            var key = TreeText.Key(want.Path);
            seen.Add(key);
            if (!actualByPath.TryGetValue(key, out var got))
            {
                differences.Add(new TreeDifference(want.DisplayPath, "entry", want.Type.ToJsonName(), "missing"));
                continue;
            }

            CompareEntry(want, got, options, differences);
        }

        foreach (var extra in actualByPath.Where(p => !seen.Contains(p.Key)).Select(p => p.Value))
        {
            differences.Add(new TreeDifference(extra.DisplayPath, "entry", "absent", extra.Type.ToJsonName()));
        }

        return differences;
    }

    /// <summary>The differences one per line, for an assertion message; long lists are cut after max lines.</summary>
    public static string Format(IReadOnlyList<TreeDifference> differences, int max = 60)
    {
        var text = new StringBuilder();
        text.Append(differences.Count).Append(" difference(s)");
        foreach (var difference in differences.Take(max))
        {
            text.Append('\n').Append("  ").Append(difference);
        }

        if (differences.Count > max)
        {
            text.Append("\n  …and ").Append(differences.Count - max).Append(" more");
        }

        return text.ToString();
    }

    private static bool Included(TreeEntry entry, TreeComparisonOptions options)
    {
        if (entry.IsRoot)
        {
            return options.IncludeRoot;
        }

        if (options.IgnoreSockets && entry.Type == TreeEntryType.Socket)
        {
            return false;
        }

        if (options.IgnoreWhiteoutPrefixedNames)
        {
            foreach (var range in entry.Path.AsSpan().Split((byte)'/'))
            {
                if (entry.Path.AsSpan()[range].StartsWith(".wh."u8))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void CompareEntry(TreeEntry want, TreeEntry got, TreeComparisonOptions options, List<TreeDifference> differences)
    {
        void Check(bool equal, string field, string expected, string actual)
        {
            if (!equal)
            {
                differences.Add(new TreeDifference(want.DisplayPath, field, expected, actual));
            }
        }

        Check(want.Type == got.Type, "type", want.Type.ToJsonName(), got.Type.ToJsonName());
        Check(want.Mode == got.Mode, "mode", TreeText.Mode(want.Mode), TreeText.Mode(got.Mode));
        Check(want.Uid == got.Uid, "uid", TreeText.Number(want.Uid), TreeText.Number(got.Uid));
        Check(want.Gid == got.Gid, "gid", TreeText.Number(want.Gid), TreeText.Number(got.Gid));
        if (want.Type != TreeEntryType.Directory || got.Type != TreeEntryType.Directory || options.CompareDirectoryMtimes)
        {
            Check(want.Mtime == got.Mtime, "mtime", TreeText.Number(want.Mtime), TreeText.Number(got.Mtime));
        }

        Check(want.Size == got.Size, "size", TreeText.Number(want.Size), TreeText.Number(got.Size));
        Check(want.Sha256 == got.Sha256, "sha256", TreeText.Text(want.Sha256), TreeText.Text(got.Sha256));
        Check(SameBytes(want.Target, got.Target), "target", TreeText.Bytes(want.Target), TreeText.Bytes(got.Target));
        Check(want.Rdev == got.Rdev, "rdev", TreeText.Text(want.Rdev), TreeText.Text(got.Rdev));
        Check(SameBytes(want.Capability, got.Capability), "capability", TreeText.Base64(want.Capability), TreeText.Base64(got.Capability));
        Check(SameBytes(want.LinkGroup, got.LinkGroup), "link_group", TreeText.Bytes(want.LinkGroup), TreeText.Bytes(got.LinkGroup));
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
