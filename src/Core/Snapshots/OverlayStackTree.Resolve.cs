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
                candidate = RedirectCandidate(parentStack, redirect);
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

    /// <summary>
    /// overlay.redirect: an absolute value names a path from the overlay root in every lower layer;
    /// a relative one names a sibling in the same parent (a rename within the directory).
    /// </summary>
    private Func<int, byte[]?> RedirectCandidate(LayerDirectory[] parentStack, byte[] redirect)
    {
        if (redirect[0] == (byte)'/')
        {
            var relative = redirect.AsSpan().TrimStart((byte)'/').ToArray();
            return layer => PathBytes.Under(_layers[layer].RootBytes, relative);
        }

        return layer => InParent(parentStack, layer, redirect);
    }

    /// <summary>
    /// overlay.metacopy: the upper file holds metadata only; its data is the first regular file
    /// below at the same path or at the file's own redirect (which may name a data-only layer).
    /// </summary>
    private byte[]? MetacopyData(int layer, byte[] abs, FileStatus st, IReadOnlyList<string>? xattrNames, Func<int, byte[]?> candidate, LayerDirectory[] parentStack)
    {
        if (!OverlayOptions.MayBeMetacopy(st) || layer == _layers.Length - 1)
        {
            return null;
        }

        var fs = _layers[layer].FileSystem;
        if (!Has(fs, abs, xattrNames, _options.MetacopyXattr))
        {
            return null;
        }

        // A renamed metacopy file keeps its origin in overlay.redirect: absolute (from the root,
        // possibly in a data-only layer) or relative (a sibling name in the same directory). A
        // metacopy file below may redirect again: the kernel follows the chain to the data.
        var origin = new MetacopyOrigin(fs.GetXattr(abs, _options.RedirectXattr));
        for (var below = layer + 1; below < _layers.Length; below++)
        {
            var path = origin.RootRelative is { } fromRoot
                ? PathBytes.Under(_layers[below].RootBytes, fromRoot)
                : _dataOnly[below] ? null
                : origin.Sibling is { } sibling ? InParent(parentStack, below, sibling) : candidate(below);
            if (path is null || !_layers[below].FileSystem.TryLstat(path, out var lower, out _))
            {
                continue;
            }

            if (lower.Kind != FileKind.Regular)
            {
                break;
            }

            if (OverlayOptions.MayBeMetacopy(lower) && _layers[below].FileSystem.GetXattr(path, _options.MetacopyXattr) is not null)
            {
                origin = origin.Then(_layers[below].FileSystem.GetXattr(path, _options.RedirectXattr));
                continue;
            }

            return path;
        }

        throw new SnapshotException($"{PathBytes.Display(abs)}: metacopy file has no data in the layers below (the kernel returns EIO here)");
    }

    /// <summary>xwhiteout: a zero-size regular file with overlay.whiteout in a lower dir marked opaque=x (kernel 6.7+).</summary>
    private bool IsXwhiteout(LayerDirectory[] parentStack, int layer, byte[] abs, FileStatus st, IReadOnlyList<string>? xattrNames)
    {
        if (st.Kind != FileKind.Regular || st.Size != 0)
        {
            return false;
        }

        foreach (var dir in parentStack)
        {
            if (dir.Layer == layer)
            {
                return dir.HasXwhiteouts && Has(_layers[layer].FileSystem, abs, xattrNames, _options.WhiteoutXattr);
            }
        }

        return false;
    }

    private bool HasXwhiteouts(int layer, byte[] dirAbs, IReadOnlyList<string>? xattrNames = null)
    {
        if (xattrNames is not null && !xattrNames.Contains(_options.OpaqueXattr))
        {
            return false;
        }

        var value = _layers[layer].FileSystem.GetXattr(dirAbs, _options.OpaqueXattr);
        return value is [(byte)'x'];
    }

    private (bool Opaque, byte[]? Redirect) ReadMarks(int layer, byte[] dirAbs, IReadOnlyList<string>? xattrNames)
    {
        if (layer == _layers.Length - 1)
        {
            return (false, null);
        }

        var fs = _layers[layer].FileSystem;
        var names = xattrNames ?? fs.ListXattrs(dirAbs);
        if (names.Count == 0)
        {
            return (false, null);
        }

        var opaque = names.Contains(_options.OpaqueXattr) && fs.GetXattr(dirAbs, _options.OpaqueXattr) is [(byte)'y'];
        var redirect = names.Contains(_options.RedirectXattr) ? fs.GetXattr(dirAbs, _options.RedirectXattr) : null;
        return (opaque, redirect);
    }

    /// <summary>Whether an entry has an xattr: from its listed names when known, else by reading it.</summary>
    private static bool Has(IFileSystem fs, byte[] abs, IReadOnlyList<string>? xattrNames, string name) =>
        xattrNames?.Contains(name) ?? fs.GetXattr(abs, name) is not null;

    /// <summary>Where a metacopy file's data is looked for below, as redirects accumulate.</summary>
    private readonly record struct MetacopyOrigin(byte[]? RootRelative, byte[]? Sibling)
    {
        public MetacopyOrigin(byte[]? redirect) : this(null, null) => this = default(MetacopyOrigin).Then(redirect);

        public MetacopyOrigin Then(byte[]? redirect)
        {
            if (redirect is not { Length: > 0 })
            {
                return this;
            }

            if (redirect[0] == (byte)'/')
            {
                return new MetacopyOrigin(redirect.AsSpan().TrimStart((byte)'/').ToArray(), null);
            }

            return RootRelative is { } current
                ? new MetacopyOrigin(PathBytes.Join(PathBytes.Parent(current), redirect), null)
                : new MetacopyOrigin(null, redirect);
        }
    }
}
