using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Apply;

/// <summary>Whiteouts (OCI image-spec layer.md "Whiteouts"; containerd tar.go convertWhiteout).</summary>
public sealed partial class LayerApplier
{
    private static ReadOnlySpan<byte> WhiteoutPrefix => ".wh."u8;

    private static ReadOnlySpan<byte> OpaqueMarker => ".wh..wh..opq"u8;

    /// <summary>
    /// ".wh..wh..opq" hides everything below its directory that the lower layers had; ".wh.x"
    /// removes x (a missing x is fine). The whiteout itself is never written. Any other
    /// ".wh..wh.y" is simply the whiteout of ".wh.y".
    /// </summary>
    private void ApplyWhiteout(TarHeader header, SafeFileHandle directory, byte[] baseName)
    {
        if (baseName.AsSpan().SequenceEqual(OpaqueMarker))
        {
            using var readable = AtCalls.OpenDirectory(AtCalls.Fd(directory), "."u8);
            PruneOpaque(readable);
            return;
        }

        // validateWhiteout: the hidden name must be a child of the directory, so ".wh." (the
        // directory itself) and ".wh.." (its parent) are an invalid archive.
        var hidden = baseName[WhiteoutPrefix.Length..];
        if (hidden.Length == 0 || hidden.AsSpan().SequenceEqual("."u8) || hidden.AsSpan().SequenceEqual(".."u8))
        {
            throw new LayerApplyException(header.Name, "invalid whiteout name (invalid archive)");
        }

        AtCalls.RemoveAll(AtCalls.Fd(directory), hidden);
    }

    /// <summary>
    /// Removes every child not unpacked earlier from this same layer, descending into the kept
    /// directories to prune their old children too (the filepath.Walk in convertWhiteout). A kept
    /// symlink is not descended into: the walk uses lstat.
    /// </summary>
    private void PruneOpaque(SafeFileHandle directory)
    {
        var status = AtCalls.Fstat(directory);
        var fd = AtCalls.Fd(directory);
        foreach (var name in AtCalls.ReadNames(directory))
        {
            if (!_unpacked.Contains(new UnpackedKey(status.Device, status.Inode, name)))
            {
                AtCalls.RemoveAll(fd, name);
            }
            else if (AtCalls.LstatOrNull(fd, name) is { IsDirectory: true })
            {
                using var child = AtCalls.OpenDirectory(fd, name);
                PruneOpaque(child);
            }
        }
    }
}
