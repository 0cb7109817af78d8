using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Apply;

/// <summary>Creating each kind of entry (containerd tar.go createTarFile).</summary>
public sealed partial class LayerApplier
{
    /// <summary>
    /// The file type an entry creates, decided before anything is removed so that an unsupported
    /// entry fails without having destroyed what it would have replaced.
    /// </summary>
    private static FileKind? KindOf(TarHeader header) => header.Type switch
    {
        TarEntryType.Directory => FileKind.Directory,
        TarEntryType.Regular => FileKind.Regular,
        TarEntryType.Symlink => FileKind.Symlink,
        TarEntryType.CharDevice => FileKind.CharDevice,
        TarEntryType.BlockDevice => FileKind.BlockDevice,
        TarEntryType.Fifo => FileKind.Fifo,
        TarEntryType.HardLink => null,
        _ => throw new LayerApplyException(header.Name, $"unhandled tar entry type '{(char)header.Type}' (0x{(byte)header.Type:x2})"),
    };

    /// <summary>
    /// Creates the entry with owner-only permissions; the real mode is set afterwards, after the
    /// chown (which would clear setuid/setgid), as createTarFile does.
    /// </summary>
    private void Create(TarReaderEntry entry, FileKind? kind, SafeFileHandle directory, byte[] baseName, bool merge)
    {
        var header = entry.Header;
        var parentFd = AtCalls.Fd(directory);
        switch (kind)
        {
            case FileKind.Directory when merge:
                break;
            case FileKind.Directory:
                AtCalls.Mkdir(parentFd, baseName, 0x1C0);
                break;
            case FileKind.Regular:
                WriteRegular(entry, parentFd, baseName);
                break;
            case FileKind.Symlink:
                AtCalls.Symlink(header.LinkName, parentFd, baseName);
                break;
            case FileKind.CharDevice or FileKind.BlockDevice or FileKind.Fifo:
                // tar_unix.go: device numbers must fit the uint32 of makedev's arguments.
                if (header.DevMajor is < 0 or > uint.MaxValue || header.DevMinor is < 0 or > uint.MaxValue)
                {
                    throw new LayerApplyException(header.Name, $"device number {header.DevMajor}:{header.DevMinor} out of range");
                }

                AtCalls.Mknod(parentFd, baseName, kind.Value, (uint)header.DevMajor, (uint)header.DevMinor);
                break;
            default:
                LinkTo(header, parentFd, baseName);
                break;
        }
    }

    /// <summary>
    /// The data goes to a hidden temporary name beside the entry's (O_CREAT|O_EXCL|O_NOFOLLOW, so
    /// nothing that exists is written through), which is renamed over the name once complete: a
    /// failed or interrupted apply never leaves a partial file under a name of the layer.
    /// </summary>
    private void WriteRegular(TarReaderEntry entry, int parentFd, byte[] baseName)
    {
        var temporary = System.Text.Encoding.ASCII.GetBytes($".pd-apply-{Environment.ProcessId}-{TempNames.Suffix()}.tmp");
        var errno = AtCalls.TryOpen(parentFd, temporary, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW, 0x180, out var file);
        if (file is null)
        {
            throw new FsException("create", PathBytes.Display(baseName), errno);
        }

        var renamed = false;
        try
        {
            using (file)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
                try
                {
                    long offset = 0;
                    int n;
                    while ((n = entry.Data.Read(buffer)) > 0)
                    {
                        _cancellationToken.ThrowIfCancellationRequested();
                        RandomAccess.Write(file, buffer.AsSpan(0, n), offset);
                        offset += n;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            AtCalls.Rename(parentFd, temporary, parentFd, baseName);
            renamed = true;
        }
        finally
        {
            if (!renamed)
            {
                AtCalls.TryUnlink(parentFd, temporary);
            }
        }
    }

    /// <summary>
    /// A hard link to an earlier name. containerd's hardlinkRootPath resolves the target's parent
    /// inside the root and links the last component as is (a link to a symlink links the
    /// symlink). The target must already exist; one that is absolute or climbs out is refused.
    /// </summary>
    private void LinkTo(TarHeader header, int parentFd, byte[] baseName)
    {
        if (!LayerPath.TryClean(header.LinkName, out var target) || target.Length == 0)
        {
            throw new LayerApplyException(header.Name, $"hard link target {PathBytes.Display(header.LinkName)} is not a name inside the layer root");
        }

        var (targetParent, targetBase) = LayerPath.Split(target);
        var errno = _root.TryResolveDirectory(targetParent, out var targetDirectory);
        if (targetDirectory is null)
        {
            throw new LayerApplyException(header.Name, $"hard link target {PathBytes.Display(header.LinkName)}: {Errno.Describe(errno)}", errno);
        }

        using (targetDirectory)
        {
            AtCalls.Link(AtCalls.Fd(targetDirectory), targetBase, parentFd, baseName);
        }
    }
}
