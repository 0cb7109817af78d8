using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>
/// What overlay's own xattrs on an entry mean while resolving it: redirect (where a renamed
/// directory or a metacopy file's data is found below), metacopy, opaque and xwhiteouts.
/// </summary>
public sealed partial class OverlayStackTree
{
    /// <summary>
    /// overlay.redirect: an absolute value names a path from the overlay root in every lower layer;
    /// a relative one names a sibling in the same parent (a rename within the directory).
    /// </summary>
    private Func<int, byte[]?> RedirectCandidate(LayerDirectory[] parentStack, byte[] redirect, int layerOfRedirect)
    {
        if (redirect[0] == (byte)'/')
        {
            var paths = RedirectPaths(redirect, layerOfRedirect);
            return layer => paths[layer];
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
        var originLayer = layer;
        byte[]?[]? redirected = null;
        for (var below = layer + 1; below < _layers.Length; below++)
        {
            var path = origin.RootRelative is { } fromRoot
                ? (redirected ??= RedirectPaths(fromRoot, originLayer))[below]
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
                var next = origin.Then(_layers[below].FileSystem.GetXattr(path, _options.RedirectXattr));
                if (next != origin)
                {
                    // A new redirect below is resolved from its own layer down.
                    origin = next;
                    originLayer = below;
                    redirected = null;
                }

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
