using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Apply;

/// <summary>Ownership, xattrs, mode and times (containerd tar.go createTarFile, after the switch).</summary>
public sealed partial class LayerApplier
{
    /// <summary>
    /// containerd's boundTime keeps times within [1970, time.Unix(0, 1&lt;&lt;63-1)] — the last
    /// second a nanosecond int64 can hold, in 2262 — and turns anything outside into 1970 (spec
    /// §6 step 11; vector 50-mtime-edge-values).
    /// </summary>
    private const long MaxSeconds = long.MaxValue / 1_000_000_000;

    private void SetMetadata(TarHeader header, SafeFileHandle directory, byte[] baseName)
    {
        var parentFd = AtCalls.Fd(directory);
        if (!_options.NoSameOwner)
        {
            SetOwner(header, parentFd, baseName);
        }

        foreach (var (name, value) in header.Xattrs)
        {
            SetXattr(header, parentFd, baseName, name, value);
        }

        // lchmod: never through a symlink (a hard link may also name a symlink).
        var isSymlink = header.Type == TarEntryType.Symlink
            || (header.Type == TarEntryType.HardLink && AtCalls.LstatOrNull(parentFd, baseName) is { Kind: FileKind.Symlink });
        if (!isSymlink)
        {
            unsafe
            {
                using var c = new CPath(baseName);
                AtCalls.Check(LibC.FchmodAt(parentFd, c.Pointer, (uint)(header.Mode & 0xFFF), 0), "chmod", baseName);
            }
        }

        SetTimes(parentFd, baseName, header.MtimeSeconds, header.MtimeNanoseconds);
    }

    private static unsafe void SetOwner(TarHeader header, int parentFd, byte[] baseName)
    {
        // (uid_t)-1 would mean "leave unchanged" to the kernel, so it is out of range too.
        if (header.Uid is < 0 or >= uint.MaxValue || header.Gid is < 0 or >= uint.MaxValue)
        {
            throw new LayerApplyException(header.Name, $"uid/gid {header.Uid}/{header.Gid} out of range");
        }

        using var c = new CPath(baseName);
        AtCalls.Check(LibC.FchownAt(parentFd, c.Pointer, (uint)header.Uid, (uint)header.Gid, LibC.AT_SYMLINK_NOFOLLOW), "lchown", baseName);
    }

    /// <summary>
    /// Each SCHILY.xattr.* record, with lsetxattr. trusted.* is refused (containerd will not let a
    /// layer set overlay's own attributes); ENOTSUP, and EPERM for user.* on what is neither a
    /// file nor a directory (xattr(7)), are warnings, as in createTarFile.
    /// </summary>
    private unsafe void SetXattr(TarHeader header, int parentFd, byte[] baseName, string name, byte[] value)
    {
        var entry = PathBytes.Display(header.Name);
        if (name.StartsWith("trusted.", StringComparison.Ordinal))
        {
            _warnings.Add($"{entry}: ignored xattr {name}: trusted.* attributes are refused");
            return;
        }

        // lsetxattr needs a path: /proc/self/fd/N is the parent already resolved inside the root,
        // and the last component is not followed.
        var path = PathBytes.Join(Encoding.ASCII.GetBytes($"/proc/self/fd/{parentFd.ToString(CultureInfo.InvariantCulture)}"), baseName);
        using var p = new CPath(path);
        using var n = new CPath(Encoding.UTF8.GetBytes(name));
        int rc;
        fixed (byte* v = value)
        {
            rc = LibC.LSetXattr(p.Pointer, n.Pointer, v, (nuint)value.Length, 0);
        }

        if (rc == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        var notFileOrDirectory = header.Type is not (TarEntryType.Regular or TarEntryType.Directory or TarEntryType.HardLink);
        if (errno == Errno.EOPNOTSUPP || (errno == Errno.EPERM && name.StartsWith("user.", StringComparison.Ordinal) && notFileOrDirectory))
        {
            _warnings.Add($"{entry}: ignored xattr {name}: {Errno.Describe(errno)}");
            return;
        }

        throw new FsException($"setxattr {name}", PathBytes.Display(baseName), errno);
    }

    /// <summary>
    /// utimensat without following: atime = mtime = the header's mtime. Bounded to containerd's
    /// range and whole seconds by default (containerd's applier drops a PAX fraction too); exact,
    /// fraction included, with <see cref="ApplyOptions.ExactTimes"/>.
    /// </summary>
    private unsafe void SetTimes(int parentFd, byte[] baseName, long mtimeSeconds, int mtimeNanoseconds)
    {
        var seconds = !_options.ExactTimes && mtimeSeconds is < 0 or > MaxSeconds ? 0 : mtimeSeconds;
        var nanoseconds = _options.ExactTimes ? mtimeNanoseconds : 0;
        var times = stackalloc LibC.Timespec[2];
        times[0] = new LibC.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = new LibC.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        using var c = new CPath(baseName);
        AtCalls.Check(LibC.UtimensAt(parentFd, c.Pointer, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", baseName);
    }
}
