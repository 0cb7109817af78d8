using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// The user.* xattrs of every name in a tree (overlay's own user.overlay.* left out): what
/// <see cref="TreeSnapshot"/> does not capture, for the --xattrs all scenarios.
/// </summary>
internal static class UserXattrListing
{
    public static SortedDictionary<string, SortedDictionary<string, byte[]>> Capture(string root)
    {
        var fs = LinuxFileSystem.Instance;
        var result = new SortedDictionary<string, SortedDictionary<string, byte[]>>(StringComparer.Ordinal);
        foreach (var walked in TreeWalk.Walk(root, skipVanished: true))
        {
            if (walked.IsRoot || walked.Status.Kind is not (FileKind.Regular or FileKind.Directory))
            {
                continue;
            }

            var set = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var name in fs.ListXattrs(walked.FullPath).Where(IsUserXattr))
            {
                set[name] = fs.GetXattr(walked.FullPath, name) ?? [];
            }

            if (set.Count > 0)
            {
                result[PathBytes.Display(walked.RelativePath)] = set;
            }
        }

        return result;
    }

    /// <summary>
    /// One line per path whose user xattrs differ; empty when the trees agree. A directory that
    /// already exists keeps the xattrs a header lacks with every applier (containerd, GNU tar, ours),
    /// so a name removed from a lower directory cannot leave the applied tree; there the layer itself
    /// is checked (System.Formats.Tar refuses binary pax values, so Core's reader): its header for the directory must list exactly the kernel's names.
    /// </summary>
    public static List<string> Compare(
        SortedDictionary<string, SortedDictionary<string, byte[]>> want, SortedDictionary<string, SortedDictionary<string, byte[]>> got, byte[] tar, string appliedRoot)
    {
        var headers = DirectoryHeaderNames(tar);
        var problems = new List<string>();
        foreach (var path in want.Keys.Union(got.Keys).Order(StringComparer.Ordinal))
        {
            var wanted = want.GetValueOrDefault(path) ?? [];
            var found = got.GetValueOrDefault(path) ?? [];
            if (Same(wanted, found))
            {
                continue;
            }

            var onlyRemovedFromDirectory = Directory.Exists(Path.Combine(appliedRoot, path))
                && wanted.All(x => found.TryGetValue(x.Key, out var value) && value.AsSpan().SequenceEqual(x.Value))
                && headers.TryGetValue(path, out var header) && header.SetEquals(wanted.Keys);
            if (!onlyRemovedFromDirectory)
            {
                problems.Add($"{path}: user xattrs want {Format(wanted)}, got {Format(found)}");
            }
        }

        return problems;
    }

    /// <summary>The user xattr names of each directory header in the layer, by path without the trailing slash.</summary>
    private static Dictionary<string, HashSet<string>> DirectoryHeaderNames(byte[] tar)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var reader = new TarReader(new MemoryStream(tar));
        while (reader.Next() is { } entry)
        {
            if (entry.Header.Type == TarEntryType.Directory)
            {
                var names = entry.Header.Xattrs.Select(x => x.Key).Where(IsUserXattr);
                result[PathBytes.Display(entry.Header.Name).TrimEnd('/')] = names.ToHashSet(StringComparer.Ordinal);
            }
        }

        return result;
    }

    private static bool Same(SortedDictionary<string, byte[]> a, SortedDictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(x => b.TryGetValue(x.Key, out var value) && value.AsSpan().SequenceEqual(x.Value));

    private static string Format(SortedDictionary<string, byte[]> set) =>
        set.Count == 0 ? "(none)" : string.Join(' ', set.Select(x => $"{x.Key}=0x{Convert.ToHexString(x.Value)}"));

    private static bool IsUserXattr(string name) =>
        name.StartsWith("user.", StringComparison.Ordinal) && !name.StartsWith("user.overlay.", StringComparison.Ordinal);
}
