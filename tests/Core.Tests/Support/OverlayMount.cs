using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// A read-only kernel overlay of a layer stack (no upperdir), the oracle for what a stack of
/// layers looks like merged. The mount point lives in its own scratch directory; Dispose unmounts
/// (lazily if the mount is busy) and removes it.
/// </summary>
public sealed class OverlayMount : IDisposable
{
    private readonly ScratchDirectory _scratch;
    private bool _disposed;

    private OverlayMount(ScratchDirectory scratch, string mountPoint, string options)
    {
        _scratch = scratch;
        MountPoint = mountPoint;
        Options = options;
    }

    /// <summary>Where the merged view is.</summary>
    public string MountPoint { get; }

    /// <summary>The -o string the overlay was mounted with, for messages.</summary>
    public string Options { get; }

    /// <summary>
    /// mount -t overlay overlay -o ro,lowerdir=L0:L1:…[,extra] with L0 the topmost layer. Without an
    /// upperdir the kernel wants at least two lower layers, so a single layer gets an empty one below.
    /// </summary>
    /// <param name="layersTopFirst">The layer directories, topmost first (overlayfs lowerdir= order).</param>
    /// <param name="extraOptions">Further overlay options, such as a vector's merged_mount_options.</param>
    public static OverlayMount ReadOnly(IReadOnlyList<string> layersTopFirst, IEnumerable<string>? extraOptions = null)
    {
        ArgumentNullException.ThrowIfNull(layersTopFirst);
        if (layersTopFirst.Count == 0)
        {
            throw new ArgumentException("an overlay needs at least one layer", nameof(layersTopFirst));
        }

        var layers = layersTopFirst.Select(Path.GetFullPath).ToList();
        foreach (var layer in layers.Where(l => l.Contains(':', StringComparison.Ordinal) || l.Contains(',', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"{layer}: a layer path in overlay options cannot contain ':' or ','", nameof(layersTopFirst));
        }

        var scratch = ScratchDirectory.Create("pd-overlay-");
        try
        {
            var mountPoint = Path.Combine(scratch.Path, "merged");
            Directory.CreateDirectory(mountPoint);
            if (layers.Count == 1)
            {
                var empty = Path.Combine(scratch.Path, "empty");
                Directory.CreateDirectory(empty);
                layers.Add(empty);
            }

            var options = string.Join(',', new[] { "ro", "lowerdir=" + string.Join(':', layers) }.Concat(extraOptions ?? []));
            string[] arguments = ["-t", "overlay", "overlay", "-o", options, mountPoint];
            var result = ExternalCommand.Run("mount", arguments);
            if (!result.Succeeded)
            {
                throw new IOException(ExternalCommand.Describe("mount", arguments, result) + " (the kernel log says why)");
            }

            return new OverlayMount(scratch, mountPoint, options);
        }
        catch
        {
            scratch.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Unmount(MountPoint);

        // ScratchDirectory refuses to descend into a mount, so a failed unmount leaks a directory
        // rather than emptying the layers through it.
        _scratch.Dispose();
    }

    /// <summary>umount, and umount -l when the mount is busy (a test failed with a file open in it).</summary>
    private static void Unmount(string mountPoint)
    {
        var result = ExternalCommand.Run("umount", mountPoint);
        if (result.Succeeded || !IsMountPoint(mountPoint))
        {
            return;
        }

        string[] lazy = ["-l", mountPoint];
        var lazyResult = ExternalCommand.Run("umount", lazy);
        if (!lazyResult.Succeeded)
        {
            throw new IOException(ExternalCommand.Describe("umount", lazy, lazyResult));
        }
    }

    private static bool IsMountPoint(string path)
    {
        var fs = LinuxFileSystem.Instance;
        return fs.TryLstat(PathBytes.FromString(path), out var self, out _)
            && fs.TryLstat(PathBytes.FromString(Path.GetDirectoryName(path)!), out var parent, out _)
            && self.Device != parent.Device;
    }
}
