using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

public sealed partial class OverlayStackTree
{
    /// <summary>A real directory contributing to a merged directory.</summary>
    private readonly record struct LayerDirectory(int Layer, byte[] AbsolutePath, bool HasXwhiteouts);

    /// <summary>
    /// A visible entry: its metadata, where it lives, and for directories the layers merged into
    /// it; with the xattr names of <see cref="RealPath"/> when a listing read them (else null).
    /// </summary>
    private sealed record ResolvedEntry(FileStatus Status, int Layer, byte[] RealPath, byte[]? DataPath, LayerDirectory[]? Stack, IReadOnlyList<string>? XattrNames = null);

    private ResolvedEntry ResolveRoot()
    {
        var stack = new List<LayerDirectory>();
        FileStatus top = default;
        for (var i = 0; i < _layers.Length; i++)
        {
            if (_dataOnly[i])
            {
                continue;
            }

            var root = _layers[i].RootBytes;
            var st = _layers[i].FileSystem.TryLstat(root, out var s, out var errno) ? s : throw new FsException("lstat", PathBytes.Display(root), errno);
            if (stack.Count == 0)
            {
                top = st;
            }

            stack.Add(new LayerDirectory(i, root, HasXwhiteouts(i, root)));
        }

        if (stack.Count == 0)
        {
            throw new SnapshotException($"{Description}: every layer is data-only");
        }

        return new ResolvedEntry(top, stack[0].Layer, stack[0].AbsolutePath, null, [.. stack]);
    }

    /// <summary>
    /// The kernel's lookup of one name in a merged directory (ovl_lookup): walk the parent's layer
    /// directories top-down and merge what is found.
    /// </summary>
    /// <param name="listed">The parent's layer directories as listed, by layer (null: look each name up by path).</param>
    private ResolvedEntry? ResolveChild(ResolvedEntry parent, byte[] name, byte[] path, Dictionary<byte[], DirEntry>?[]? listed = null)
    {
        var parentStack = parent.Stack!;
        Func<int, byte[]?> candidate = layer => InParent(parentStack, layer, name);
        ResolvedEntry? top = null;
        List<LayerDirectory>? merged = null;
        var firstLayer = parentStack[0].Layer;

        for (var layer = firstLayer; layer < _layers.Length; layer++)
        {
            if (_dataOnly[layer])
            {
                continue;
            }

            var abs = candidate(layer);
            if (abs is null)
            {
                continue;
            }

            if (!TryStatus(layer, abs, name, listed, out var st, out var xattrNames, out var errno))
            {
                if (errno is Errno.ENOENT or Errno.ENOTDIR)
                {
                    continue;
                }

                throw new FsException("lstat", PathBytes.Display(abs), errno);
            }

            if (st.IsWhiteout || IsXwhiteout(parentStack, layer, abs, st, xattrNames))
            {
                // A whiteout hides the name here and below; below a directory it ends the merge.
                if (top is null)
                {
                    return null;
                }

                break;
            }

            if (top is null)
            {
                if (!st.IsDirectory)
                {
                    var data = st.Kind == FileKind.Regular && _options.Metacopy ? MetacopyData(layer, abs, st, xattrNames, candidate, parentStack) : null;
                    return new ResolvedEntry(st, layer, abs, data, null, xattrNames);
                }

                top = new ResolvedEntry(st, layer, abs, null, null, xattrNames);
                merged = [];
            }
            else if (!st.IsDirectory)
            {
                // A non-directory below a directory ends the merge (it is hidden).
                break;
            }

            merged!.Add(new LayerDirectory(layer, abs, HasXwhiteouts(layer, abs, xattrNames)));
            var marks = ReadMarks(layer, abs, xattrNames);
            if (marks.Opaque)
            {
                break;
            }

            if (marks.Redirect is { Length: > 0 } redirect && _options.RedirectFollow)
            {
                candidate = RedirectCandidate(parentStack, redirect, layer);
                // The listings hold the name itself, not where the redirect points.
                listed = null;
            }
        }

        if (top is null)
        {
            return null;
        }

        var entry = top with { Stack = [.. merged!] };
        _directories.TryAdd(path, entry);
        return entry;
    }

    /// <summary>
    /// The lstat of a candidate, with its xattr names when known: from the parent's listing of
    /// that layer when there is one (a name it lacks is absent: ENOENT), else by path.
    /// </summary>
    private bool TryStatus(int layer, byte[] abs, byte[] name, Dictionary<byte[], DirEntry>?[]? listed, out FileStatus status, out IReadOnlyList<string>? xattrNames, out int errno)
    {
        if (listed?[layer] is { } listing)
        {
            var found = listing.TryGetValue(name, out var entry);
            status = entry.Status;
            xattrNames = entry.XattrNames;
            errno = found ? 0 : Errno.ENOENT;
            return found;
        }

        xattrNames = null;
        return _layers[layer].FileSystem.TryLstat(abs, out status, out errno);
    }

    private static byte[]? InParent(LayerDirectory[] parentStack, int layer, byte[] name)
    {
        foreach (var dir in parentStack)
        {
            if (dir.Layer == layer)
            {
                return PathBytes.Join(dir.AbsolutePath, name);
            }
        }

        return null;
    }
}
