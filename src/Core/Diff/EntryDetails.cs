using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Diff;

/// <summary>Reads what a tar header needs beyond lstat: the symlink target and the exported xattrs.</summary>
public static class EntryDetails
{
    public const string Capability = "security.capability";

    private static readonly IReadOnlyList<KeyValuePair<string, byte[]>> None = [];

    /// <param name="xattrNames">The entry's xattr names when the caller already listed them: attributes it lacks are not read.</param>
    public static Change Describe(ChangeKind kind, byte[] path, FileStatus status, ISnapshotTree source, XattrPolicy policy, IReadOnlyList<string>? xattrNames = null)
    {
        if (kind == ChangeKind.Delete || status.Kind == FileKind.Socket)
        {
            return new Change(kind, path, status, source, null, None);
        }

        var target = status.Kind == FileKind.Symlink ? source.ReadLink(path) : null;
        var xattrs = xattrNames is { Count: 0 } || (policy == XattrPolicy.Capability && xattrNames is not null && !xattrNames.Contains(Capability))
            ? None
            : ReadXattrs(source, path, status, policy);
        return new Change(kind, path, status, source, target, xattrs);
    }

    public static IReadOnlyList<KeyValuePair<string, byte[]>> ReadXattrs(ISnapshotTree source, ReadOnlySpan<byte> path, FileStatus status, XattrPolicy policy)
    {
        if (policy == XattrPolicy.Capability)
        {
            // containerd reads security.capability of every entry; an empty value means none.
            var cap = source.GetXattr(path, Capability);
            return cap is { Length: > 0 } ? [new(Capability, cap)] : None;
        }

        var names = source.ListXattrs(path);
        if (names.Count == 0)
        {
            return None;
        }

        var result = new List<KeyValuePair<string, byte[]>>(names.Count);
        foreach (var name in names)
        {
            if (OverlayOptions.IsOverlayPrivate(name))
            {
                continue;
            }

            var value = source.GetXattr(path, name);
            if (value is not null)
            {
                result.Add(new(name, value));
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }
}
