using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Apply;

/// <summary>
/// Applies an OCI layer (an uncompressed tar) onto a directory the way containerd's naive
/// applier does (pkg/archive/tar.go applyNaive; spec §6), with whiteouts as in the OCI
/// image-spec (layer.md, "Whiteouts"). It is how a layer is proven right: lower tree + layer
/// must equal the kernel's merged view. Unlike containerd it refuses, rather than clamps, names
/// that are absolute or climb out with "..", and nothing it does can touch a path outside the
/// destination: every path is resolved by the kernel inside the destination (openat2
/// RESOLVE_IN_ROOT) and every final component is acted on without following it.
/// </summary>
public sealed partial class LayerApplier
{
    private readonly RootedDirectory _root;
    private readonly ApplyOptions _options;

    /// <summary>containerd's unpackedPaths: what this layer created, which an opaque marker keeps.</summary>
    private readonly HashSet<UnpackedKey> _unpacked = [];

    /// <summary>
    /// Directory entries. Creating or removing a child moves a directory's mtime, so applyNaive
    /// sets directory times once more after the last entry (spec §6 step 12).
    /// </summary>
    private readonly List<(byte[] Name, long MtimeSeconds, int MtimeNanoseconds)> _directories = [];

    private readonly List<string> _warnings = [];
    private long _applied;
    private long _whiteouts;
    private long _ignored;
    private long _bytes;
    private CancellationToken _cancellationToken;

    private LayerApplier(RootedDirectory root, ApplyOptions options)
    {
        _root = root;
        _options = options;
    }

    /// <summary>
    /// Applies every entry of the layer, in order, onto <paramref name="destination"/>, which must
    /// be an existing directory. Throws <see cref="LayerApplyException"/> naming the entry that
    /// could not be applied, or <see cref="TarFormatException"/> for a malformed archive; the
    /// entries before it stay applied.
    /// </summary>
    public static ApplyResult Apply(Stream uncompressedTar, string destination, ApplyOptions options) =>
        Apply(uncompressedTar, destination, options, CancellationToken.None);

    /// <inheritdoc cref="Apply(Stream, string, ApplyOptions)"/>
    /// <exception cref="OperationCanceledException">Cancelled: checked before each entry and while a file's data is copied; the entries before stay applied.</exception>
    public static ApplyResult Apply(Stream uncompressedTar, string destination, ApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uncompressedTar);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        using var root = RootedDirectory.Open(destination);
        var applier = new LayerApplier(root, options) { _cancellationToken = cancellationToken };
        var reader = new TarReader(uncompressedTar);
        while (reader.Next() is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            applier.ApplyEntry(entry);
        }

        applier.RestoreDirectoryTimes();
        return new ApplyResult
        {
            EntriesApplied = applier._applied,
            WhiteoutsApplied = applier._whiteouts,
            EntriesIgnored = applier._ignored,
            Bytes = applier._bytes,
            Warnings = applier._warnings,
        };
    }

    private void ApplyEntry(TarReaderEntry entry)
    {
        var header = entry.Header;
        _bytes += header.Size;
        if (!LayerPath.TryClean(header.Name, out var name))
        {
            throw new LayerApplyException(header.Name, "the name is absolute or climbs out of the layer root with '..'");
        }

        // applyNaive skips an entry whose path is the root itself (spec §6 step 5), and skipFile
        // drops device nodes where mknod cannot work (step 3).
        if (name.Length == 0 || (_options.SkipDeviceNodes && header.Type is TarEntryType.CharDevice or TarEntryType.BlockDevice)
            || (_options.SkipEstargzMetadata && header.Type == TarEntryType.Regular && IsEstargzMetadata(name)))
        {
            _ignored++;
            return;
        }

        try
        {
            var (parent, baseName) = LayerPath.Split(name);
            using var directory = _root.ResolveOrCreateDirectory(parent);
            if (baseName.AsSpan().StartsWith(WhiteoutPrefix))
            {
                ApplyWhiteout(header, directory, baseName);
                _whiteouts++;
            }
            else
            {
                ApplyFile(entry, directory, baseName);
                if (header.Type == TarEntryType.Directory)
                {
                    _directories.Add((name, header.MtimeSeconds, header.MtimeNanoseconds));
                }
            }

            _applied++;
        }
        catch (FsException e)
        {
            throw new LayerApplyException(header.Name, e.Message, e.ErrorNumber, e);
        }
    }

    private static bool IsEstargzMetadata(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("stargz.index.json"u8) || name.SequenceEqual(".prefetch.landmark"u8) || name.SequenceEqual(".no.prefetch.landmark"u8);

    /// <summary>tar.go applyNaive steps 9-11: replace what is there (unless dir over dir), create, set metadata.</summary>
    private void ApplyFile(TarReaderEntry entry, SafeFileHandle directory, byte[] baseName)
    {
        var header = entry.Header;
        var kind = KindOf(header);
        var parentFd = AtCalls.Fd(directory);
        var existing = AtCalls.LstatOrNull(parentFd, baseName);

        // Spec §6 step 9: whatever is at the name is removed first, except that a directory entry
        // landing on a directory merges into it and only changes its metadata.
        var merge = existing is { IsDirectory: true } && kind == FileKind.Directory;
        if (existing is not null && !merge)
        {
            AtCalls.RemoveAll(parentFd, baseName);
        }

        Create(entry, kind, directory, baseName, merge);
        if (header.Type != TarEntryType.HardLink)
        {
            // A hard link is another name of an inode that already has its metadata, and that inode
            // may also be linked from outside the destination (a `cp -al` tree): chown, chmod (a
            // setuid bit above all) or utime through it would reach that file too. GNU tar sets
            // nothing on a hard link either.
            SetMetadata(header, directory, baseName);
        }

        _unpacked.Add(KeyOf(directory, baseName));
    }

    private static UnpackedKey KeyOf(SafeFileHandle directory, byte[] baseName)
    {
        var status = AtCalls.Fstat(directory);
        return new UnpackedKey(status.Device, status.Inode, baseName);
    }

    /// <summary>Sets each directory entry's times again, now that nothing more is created in it.</summary>
    private void RestoreDirectoryTimes()
    {
        foreach (var (name, mtime, nanoseconds) in _directories)
        {
            try
            {
                // A directory a later entry removed or replaced is not ours to touch any more.
                var (parent, baseName) = LayerPath.Split(name);
                if (_root.TryResolveDirectory(parent, out var directory) != 0)
                {
                    continue;
                }

                using (directory)
                {
                    if (AtCalls.LstatOrNull(AtCalls.Fd(directory!), baseName) is { IsDirectory: true })
                    {
                        SetTimes(AtCalls.Fd(directory!), baseName, mtime, nanoseconds);
                    }
                }
            }
            catch (FsException e)
            {
                throw new LayerApplyException(name, e.Message, e.ErrorNumber, e);
            }
        }
    }
}
