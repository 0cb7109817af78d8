namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// Builds the base tree a layer is applied onto: the merged view of a stack of lower layers as a
/// plain directory (no whiteouts, no opaque or redirect xattrs, everything resolved by the kernel).
/// </summary>
public static class LowerFlattener
{
    /// <summary>
    /// Mounts the lowers read-only (<see cref="OverlayMount"/>) and copies the view into dest with
    /// cp -a --preserve=all: types, modes, owners, mtimes, hard links and the xattrs the view shows
    /// (security.capability, user.*; never trusted.overlay.*). With no lowers dest is an empty directory.
    /// </summary>
    /// <param name="lowersTopFirst">The lower layers, topmost first.</param>
    /// <param name="mountOptions">Overlay options the stack needs (a vector's merged_mount_options).</param>
    /// <param name="dest">A directory to create, or an empty one.</param>
    public static void Flatten(IReadOnlyList<string> lowersTopFirst, IEnumerable<string>? mountOptions, string dest)
    {
        ArgumentNullException.ThrowIfNull(lowersTopFirst);
        Directory.CreateDirectory(dest);
        if (Directory.EnumerateFileSystemEntries(dest).Any())
        {
            throw new IOException($"{dest}: not empty");
        }

        if (lowersTopFirst.Count == 0)
        {
            return;
        }

        using var mount = OverlayMount.ReadOnly(lowersTopFirst, mountOptions);

        // "SRC/." copies the root's own metadata onto dest as well as its contents.
        string[] arguments = ["-a", "--preserve=all", "--no-target-directory", mount.MountPoint + "/.", dest];
        var result = ExternalCommand.Run("cp", arguments);

        // --preserve=all only warns when an xattr cannot be kept; a base tree missing one is wrong.
        if (!result.Succeeded || result.StandardError.Length > 0)
        {
            throw new IOException(ExternalCommand.Describe("cp", arguments, result));
        }
    }
}
