using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

public sealed partial class OverlayStackTree
{
    /// <summary>
    /// Where an absolute redirect leads in each layer below <paramref name="above"/>: the kernel
    /// looks it up from the root component by component (ovl_lookup_layer), so a directory met on
    /// the way that was itself renamed (it carries a redirect) rewrites the rest of the path for
    /// the layers below it (issue 12 §2: /etc/ü whose /etc was renamed from /0 has its data at /0/ü).
    /// Data-only layers are looked up by plain path, as the kernel does.
    /// </summary>
    /// <returns>Per layer, the absolute path to look at (null: the path does not lead into that layer).</returns>
    private byte[]?[] RedirectPaths(byte[] rootRelative, int above)
    {
        var directories = new byte[]?[_layers.Length];
        for (var layer = above + 1; layer < _layers.Length; layer++)
        {
            directories[layer] = _dataOnly[layer] ? null : _layers[layer].RootBytes;
        }

        var names = Components(rootRelative);

        for (var i = 0; i < names.Count - 1; i++)
        {
            directories = DirectoriesBelow(directories, names[i], above);
        }

        var result = new byte[]?[_layers.Length];
        for (var layer = above + 1; layer < _layers.Length; layer++)
        {
            result[layer] = _dataOnly[layer] ? PathBytes.Under(_layers[layer].RootBytes, rootRelative.AsSpan().TrimStart((byte)'/'))
                : names.Count == 0 ? directories[layer]
                : directories[layer] is { } directory ? PathBytes.Join(directory, names[^1]) : null;
        }

        return result;
    }

    private static List<byte[]> Components(byte[] path)
    {
        var result = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == (byte)'/')
            {
                if (i > start)
                {
                    result.Add(path[start..i]);
                }

                start = i + 1;
            }
        }

        return result;
    }

    /// <summary>One component of <see cref="RedirectPaths"/>: the merged directory <paramref name="name"/> below each layer's parent.</summary>
    private byte[]?[] DirectoriesBelow(byte[]?[] parents, byte[] name, int above)
    {
        var next = new byte[]?[_layers.Length];
        Func<int, byte[]?> candidate = layer => parents[layer] is { } parent ? PathBytes.Join(parent, name) : null;
        for (var layer = above + 1; layer < _layers.Length; layer++)
        {
            if (_dataOnly[layer] || candidate(layer) is not { } abs)
            {
                continue;
            }

            if (!_layers[layer].FileSystem.TryLstat(abs, out var st, out _))
            {
                continue;
            }

            if (st.IsWhiteout || !st.IsDirectory)
            {
                // A whiteout or a non-directory hides the name in every layer below.
                break;
            }

            next[layer] = abs;
            var marks = ReadMarks(layer, abs, null);
            if (marks.Opaque)
            {
                break;
            }

            if (marks.Redirect is { Length: > 0 } redirect && _options.RedirectFollow)
            {
                if (redirect[0] == (byte)'/')
                {
                    var paths = RedirectPaths(redirect, layer);
                    candidate = below => paths[below];
                }
                else
                {
                    candidate = below => parents[below] is { } parent ? PathBytes.Join(parent, redirect) : null;
                }
            }
        }

        return next;
    }
}
