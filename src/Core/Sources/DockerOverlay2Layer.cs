using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

/// <summary>
/// A layer directory of Docker's overlay2 graph driver (moby daemon/graphdriver/overlay2):
/// ROOT/overlay2/ID holds diff/ (the layer's own upper) and, unless it is a bottom layer, a file
/// "lower" listing its lowers top first as "l/SHORT:l/SHORT…", paths relative to ROOT/overlay2.
/// Each ROOT/overlay2/l/SHORT is a symbolic link to "../ID/diff"; the driver uses these short
/// names so that the mount data stays under one page.
/// </summary>
public static class DockerOverlay2Layer
{
    /// <summary>The snapshot of one overlay2 layer: its diff/ over the diff/ of every lower it lists.</summary>
    /// <param name="layerDir">ROOT/overlay2/ID.</param>
    /// <param name="overlay">
    /// The options Docker mounts with; the default unless the daemon ran rootless, where it adds
    /// userxattr (pass <see cref="OverlayOptions.ForUserXattr"/>).
    /// </param>
    /// <exception cref="SnapshotException">No diff/, a malformed lower file, or a missing or broken link; the message names it.</exception>
    public static Snapshot Load(string layerDir, OverlayOptions? overlay = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(layerDir);
        var layer = Path.TrimEndingDirectorySeparator(Path.GetFullPath(layerDir));
        var upper = Path.Combine(layer, "diff");
        if (!Directory.Exists(upper))
        {
            throw new SnapshotException($"{layer}: no diff/ directory, so this is not a Docker overlay2 layer directory");
        }

        var lowerFile = Path.Combine(layer, "lower");
        if (!File.Exists(lowerFile))
        {
            // The driver writes "lower" only for a layer that has a parent.
            return Snapshot.OfOverlay(upper, [], overlay);
        }

        var root = Path.GetDirectoryName(layer)!;
        var text = File.ReadAllText(lowerFile).TrimEnd('\n');
        if (text.Length == 0)
        {
            throw new SnapshotException($"{lowerFile}: empty; a layer without lowers has no lower file");
        }

        var lowers = text.Split(':').Select(entry => ResolveLink(root, lowerFile, entry)).ToList();
        return Snapshot.OfOverlay(upper, lowers, overlay);
    }

    /// <summary>"l/SHORT" → the directory its link points to (ROOT/overlay2/ID/diff).</summary>
    private static string ResolveLink(string root, string lowerFile, string entry)
    {
        var name = entry.StartsWith("l/", StringComparison.Ordinal) ? entry[2..] : string.Empty;
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new SnapshotException($"{lowerFile}: \"{entry}\" is not of the form l/SHORTID");
        }

        var link = Path.Combine(root, "l", name);
        var fs = LinuxFileSystem.Instance;
        if (!fs.TryLstat(PathBytes.FromString(link), out var status, out var errno))
        {
            throw new SnapshotException($"{lowerFile} lists {entry}, but {link}: {Errno.Describe(errno)}");
        }

        var target = link;
        if (status.Kind == FileKind.Symlink)
        {
            var text = Encoding.UTF8.GetString(fs.ReadLink(PathBytes.FromString(link)));
            target = Path.GetFullPath(text, Path.Combine(root, "l"));
        }

        if (!Directory.Exists(target))
        {
            throw new SnapshotException($"{lowerFile} lists {entry}, but the link {link} points to {target}, which is not a directory (a broken link)");
        }

        return target;
    }
}
