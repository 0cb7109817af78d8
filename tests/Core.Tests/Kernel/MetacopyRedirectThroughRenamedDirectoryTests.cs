using System.Text;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Issue 12 §2, made by the kernel: /0/ü written in one layer, /0 renamed to /etc in the next
/// (redirect_dir), then /etc/ü chmodded (a metacopy copy-up whose redirect is "/etc/ü") and hard
/// linked. The kernel finds the data by looking /etc/ü up component by component: /etc in the
/// middle layer redirects to /0, so the bottom layer is asked for /0/ü. Both differs used to look
/// for /etc/ü in the bottom layer, find nothing and fail with "metacopy file has no data".
/// </summary>
public sealed class MetacopyRedirectThroughRenamedDirectoryTests
{
    [RootTheory]
    [InlineData(DifferKind.Overlay)]
    [InlineData(DifferKind.Walking)]
    public void Metacopy_file_should_carry_the_data_found_through_a_renamed_lower_directory(DifferKind differ)
    {
        using var scratch = ScratchDirectory.Create("pd-metacopy-redirect-");
        string Dir(string name) => Path.Combine(scratch.Path, name);
        var bottom = Dir("l1");
        Directory.CreateDirectory(Path.Combine(bottom, "0"));
        var data = Enumerable.Range(0, 248).Select(i => (byte)(i + 3)).ToArray();
        Posix.Must(Posix.WriteFile(Path.Combine(bottom, "0", "ü"), data, 0x1A4, truncate: false), "write", "l1/0/ü");

        using (var overlay = ReadWriteOverlay.Mount([bottom], Dir("l2"), Dir("w2"), Dir("m2"), ["metacopy=on"]))
        {
            Directory.Move(Path.Combine(overlay.MountPoint, "0"), Path.Combine(overlay.MountPoint, "etc"));
        }

        using (var overlay = ReadWriteOverlay.Mount([Dir("l2"), bottom], Dir("u"), Dir("wu"), Dir("mu"), ["metacopy=on"]))
        {
            var file = Path.Combine(overlay.MountPoint, "etc", "ü");
            Posix.Must(Posix.Chmod(file, 0x180), "chmod", "merged/etc/ü");
            Posix.Must(Posix.Link(file, Path.Combine(overlay.MountPoint, "etc", "link")), "link", "merged/etc/link");
        }

        var fs = Core.Fs.LinuxFileSystem.Instance;
        var upperFile = Core.Fs.PathBytes.FromString(Path.Combine(Dir("u"), "etc", "ü"));
        Assert.True(fs.GetXattr(upperFile, "trusted.overlay.metacopy") is not null, "precondition: the chmod copied up metadata only");
        Assert.Equal("/etc/ü", Encoding.UTF8.GetString(fs.GetXattr(upperFile, "trusted.overlay.redirect") ?? []));

        // The oracle: what the kernel reads through the snapshot mounted read-only.
        using (var truth = OverlayMount.ReadOnly([Dir("u"), Dir("l2"), bottom], ["metacopy=on", "redirect_dir=follow"]))
        {
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(truth.MountPoint, "etc", "ü")));
        }

        var tar = LayerTar.ToBytes(
            Snapshot.OfOverlay(Dir("u"), [Dir("l2"), bottom], OverlayOptions.Default),
            new LayerOptions { Differ = differ, Diff = new DiffOptions { Exact = true } });
        Assert.Equal(data, EntryData(tar, "etc/ü"));
    }

    /// <summary>The entry's data; for a hard link (etc/link sorts first and carries it), the data of the name it links to.</summary>
    private static byte[] EntryData(byte[] tar, string name)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var reader = new TarReader(new MemoryStream(tar));
        while (reader.Next() is { } entry)
        {
            var path = Core.Fs.PathBytes.Display(entry.Header.Name);
            using var copy = new MemoryStream();
            entry.Data.CopyTo(copy);
            data[path] = entry.Header.Type == TarEntryType.HardLink && data.TryGetValue(Core.Fs.PathBytes.Display(entry.Header.LinkName), out var linked)
                ? linked
                : copy.ToArray();
        }

        return data.TryGetValue(name, out var found) ? found : throw new InvalidOperationException($"{name}: not in the layer\n{ScenarioListings.Tar(tar)}");
    }
}
