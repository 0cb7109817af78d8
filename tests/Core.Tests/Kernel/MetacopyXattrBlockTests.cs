using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Found by the kernel round trip (metacopy mode, e.g. seed 3034): a metacopy upper file is
/// recognised only when st_blocks is 0 (OverlayDiffer.SourceOf, OverlayStackTree.MetacopyData),
/// but ext4 counts an external xattr block in st_blocks. The copy-up's xattrs (overlay.origin,
/// overlay.metacopy, security.capability, user.*) take such a block whenever they do not fit in the
/// inode, and then the layer carries the upper's hole, zeros, instead of the lower's data. The
/// kernel decides by the overlay.metacopy xattr alone. This test fails until src/Core does too.
/// </summary>
public sealed class MetacopyXattrBlockTests
{
    [RootTheory]
    [InlineData(DifferKind.Overlay)]
    [InlineData(DifferKind.Walking)]
    public void Metacopy_file_should_carry_its_lower_data_when_its_xattrs_take_a_block(DifferKind differ)
    {
        using var scratch = ScratchDirectory.Create("pd-metacopy-");
        var lower = Path.Combine(scratch.Path, "lower");
        var upper = Path.Combine(scratch.Path, "upper");
        Directory.CreateDirectory(lower);
        var data = Enumerable.Range(0, 4097).Select(i => (byte)(i % 251 + 1)).ToArray();
        var lowerFile = Path.Combine(lower, "f");
        Posix.Must(Posix.WriteFile(lowerFile, data, 0x1A4, truncate: false), "write", lowerFile);

        // Too big for any inode: the copy-up's xattrs then live in a block of their own.
        Posix.Must(Posix.SetXattr(lowerFile, "user.padding", new byte[2000]), "setxattr", lowerFile);

        using (var overlay = ReadWriteOverlay.Mount([lower], upper, Path.Combine(scratch.Path, "work"), Path.Combine(scratch.Path, "merged"), ["metacopy=on"]))
        {
            Posix.Must(Posix.Chmod(Path.Combine(overlay.MountPoint, "f"), 0x180), "chmod", "merged/f");
        }

        var fs = Core.Fs.LinuxFileSystem.Instance;
        var upperFile = Core.Fs.PathBytes.FromString(Path.Combine(upper, "f"));
        Assert.True(fs.GetXattr(upperFile, "trusted.overlay.metacopy") is not null, "precondition: chmod under metacopy=on copies up metadata only");
        Assert.True(fs.TryLstat(upperFile, out var st, out _) && st.Blocks > 0, "precondition: the upper's xattrs take a block (st_blocks > 0)");

        var tar = LayerTar.ToBytes(
            Snapshot.OfOverlay(upper, [lower], OverlayOptions.Default),
            new LayerOptions { Differ = differ, Diff = new DiffOptions { Exact = true } });
        Assert.Equal(data, EntryData(tar, "f"));
    }

    private static byte[] EntryData(byte[] tar, string name)
    {
        var reader = new TarReader(new MemoryStream(tar));
        while (reader.Next() is { } entry)
        {
            if (Core.Fs.PathBytes.Display(entry.Header.Name) == name)
            {
                using var copy = new MemoryStream();
                entry.Data.CopyTo(copy);
                return copy.ToArray();
            }
        }

        throw new InvalidOperationException($"{name}: not in the layer\n{ScenarioListings.Tar(tar)}");
    }
}
