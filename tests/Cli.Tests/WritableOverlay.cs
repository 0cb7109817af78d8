namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A read-write kernel overlay: writing through <see cref="MountPoint"/> makes the kernel fill the
/// upperdir with copy-ups, whiteouts and opaque directories, exactly as a container engine's
/// snapshot would be. Dispose unmounts (lazily if busy).
/// </summary>
public sealed class WritableOverlay : IDisposable
{
    private bool _disposed;

    private WritableOverlay(string mountPoint, string options)
    {
        MountPoint = mountPoint;
        Options = options;
    }

    public string MountPoint { get; }

    /// <summary>The -o string, as a test would pass it to --mount-options.</summary>
    public string Options { get; }

    /// <summary>mount -t overlay overlay -o lowerdir=…,upperdir=…,workdir=…[,extra] MOUNTPOINT (directories are created).</summary>
    public static WritableOverlay Mount(string upper, string work, IReadOnlyList<string> lowersTopFirst, string mountPoint, string? extraOptions = null)
    {
        ArgumentNullException.ThrowIfNull(lowersTopFirst);
        foreach (var dir in new[] { upper, work, mountPoint })
        {
            Directory.CreateDirectory(dir);
        }

        var options = $"lowerdir={string.Join(':', lowersTopFirst)},upperdir={upper},workdir={work}" + (extraOptions is null ? string.Empty : "," + extraOptions);
        SystemTool.Check("mount", "-t", "overlay", "overlay", "-o", options, mountPoint);
        return new WritableOverlay(mountPoint, options);
    }

    public string At(string relative) => Path.Combine(MountPoint, relative);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!SystemTool.Run("umount", MountPoint).Succeeded)
        {
            SystemTool.Run("umount", "-l", MountPoint);
        }
    }
}
