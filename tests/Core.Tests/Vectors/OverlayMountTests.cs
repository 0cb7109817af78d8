using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>The mount helper: one layer works, and Dispose leaves nothing mounted, even when the mount is busy.</summary>
public sealed class OverlayMountTests
{
    [RootFact]
    public void A_single_layer_should_mount_and_Dispose_should_unmount_and_remove_the_mount_point()
    {
        using var scratch = ScratchDirectory.Create("pd-mount-");
        var layer = Directory.CreateDirectory(Path.Combine(scratch.Path, "layer")).FullName;
        File.WriteAllText(Path.Combine(layer, "f"), "x");

        // Dispose is idempotent: the using only matters when an assertion fails first.
        using var mount = OverlayMount.ReadOnly([layer]);
        Assert.Equal("x", File.ReadAllText(Path.Combine(mount.MountPoint, "f")));

        // Read-only: a test cannot change the layers through the oracle.
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(mount.MountPoint, "g"), "y"));
        mount.Dispose();

        Assert.False(Directory.Exists(mount.MountPoint));
        Assert.DoesNotContain(mount.MountPoint, File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);
    }

    [RootFact]
    public void Dispose_should_detach_a_busy_mount()
    {
        using var scratch = ScratchDirectory.Create("pd-mount-");
        var layer = Directory.CreateDirectory(Path.Combine(scratch.Path, "layer")).FullName;
        File.WriteAllText(Path.Combine(layer, "f"), "x");

        using var mount = OverlayMount.ReadOnly([layer]);
        using (File.OpenRead(Path.Combine(mount.MountPoint, "f")))
        {
            // The open file makes a plain umount fail with EBUSY; the lazy one detaches anyway.
            mount.Dispose();
            Assert.DoesNotContain(mount.MountPoint, File.ReadAllText("/proc/self/mounts"), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(mount.MountPoint));
    }

    [RootFact]
    public void Flatten_without_lowers_should_give_an_empty_directory()
    {
        using var scratch = ScratchDirectory.Create("pd-mount-");
        var dest = Path.Combine(scratch.Path, "base");
        LowerFlattener.Flatten([], null, dest);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dest));
    }
}
