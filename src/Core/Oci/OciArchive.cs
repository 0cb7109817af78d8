using System.Formats.Tar;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// A layout as one tar file (an "OCI archive": what `ctr images import` and skopeo's
/// `oci-archive:` read): oci-layout, index.json, then blobs/sha256/ and every blob, in name order,
/// owned by root with fixed modes and times, in GNU format (PAX would name its extended headers
/// after the process id; GNU also takes blobs over 8 GiB), so the same layout always gives the
/// same archive. The
/// file appears whole or not at all (<see cref="AtomicOutputFile"/>).
/// </summary>
public static class OciArchive
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <exception cref="IOException">The layout cannot be read or the archive written; the message names which.</exception>
    public static void Write(OciLayout layout, string archivePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        using var output = AtomicOutputFile.Create(archivePath);
        using (var tar = new TarWriter(output.Stream, TarEntryFormat.Gnu, leaveOpen: true))
        {
            AddFile(tar, layout.Root, "oci-layout");
            AddFile(tar, layout.Root, "index.json");
            AddDirectory(tar, "blobs/");
            AddDirectory(tar, "blobs/sha256/");
            foreach (var blob in Directory.GetFiles(Path.Combine(layout.Root, "blobs", "sha256")).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Only finished blobs: a name of 64 hex digits (staging files are hidden and longer).
                var name = Path.GetFileName(blob);
                if (name.Length == 64 && name.All(char.IsAsciiHexDigitLower))
                {
                    AddFile(tar, layout.Root, "blobs/sha256/" + name);
                }
            }
        }

        output.Commit();
    }

    private static void AddDirectory(TarWriter tar, string name) => tar.WriteEntry(Entry(TarEntryType.Directory, name, 0b111_101_101));

    private static void AddFile(TarWriter tar, string root, string name)
    {
        using var data = File.OpenRead(Path.Combine(root, name));
        var entry = Entry(TarEntryType.RegularFile, name, 0b110_100_100);
        entry.DataStream = data;
        tar.WriteEntry(entry);
    }

    /// <summary>Owned by root, every time at the epoch: nothing of this machine or this moment in the archive.</summary>
    private static GnuTarEntry Entry(TarEntryType type, string name, int mode) => new(type, name)
    {
        Mode = (UnixFileMode)mode,
        ModificationTime = Epoch,
        AccessTime = Epoch,
        ChangeTime = Epoch,
        Uid = 0,
        Gid = 0,
    };
}
