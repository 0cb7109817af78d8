using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// A read-write kernel overlay: lowerdir=L0:…,upperdir=U,workdir=W,index=off plus a mode's options,
/// mounted on a directory of its own. Dispose unmounts, lazily when the mount is busy, so that a
/// failed scenario never leaves a mount behind in its scratch directory.
/// </summary>
internal sealed class ReadWriteOverlay : IDisposable
{
    private bool _mounted;

    private ReadWriteOverlay(string mountPoint, string options)
    {
        MountPoint = mountPoint;
        Options = options;
        _mounted = true;
    }

    public string MountPoint { get; }

    /// <summary>The -o string, for messages.</summary>
    public string Options { get; }

    /// <summary>Mounts the stack on <paramref name="mountPoint"/> (created); work must be an empty directory on the upper's file system.</summary>
    public static ReadWriteOverlay Mount(IReadOnlyList<string> lowersTopFirst, string upper, string work, string mountPoint, IEnumerable<string> extraOptions)
    {
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(mountPoint);
        string[] parts = ["lowerdir=" + string.Join(':', lowersTopFirst), "upperdir=" + upper, "workdir=" + work, "index=off", .. extraOptions];
        var options = string.Join(',', parts);
        string[] arguments = ["-t", "overlay", "overlay", "-o", options, mountPoint];
        var result = ExternalCommand.Run("mount", arguments);
        if (!result.Succeeded)
        {
            throw new IOException(ExternalCommand.Describe("mount", arguments, result) + " (the kernel log says why)");
        }

        return new ReadWriteOverlay(mountPoint, options);
    }

    /// <summary>Unmounts now: the upper is only a valid layer once the overlay is gone.</summary>
    public void Dispose()
    {
        if (!_mounted)
        {
            return;
        }

        _mounted = false;
        if (ExternalCommand.Run("umount", MountPoint).Succeeded)
        {
            return;
        }

        string[] lazy = ["-l", MountPoint];
        var result = ExternalCommand.Run("umount", lazy);
        if (!result.Succeeded)
        {
            throw new IOException(ExternalCommand.Describe("umount", lazy, result));
        }
    }
}
