using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>The base of a bottom-most snapshot: an empty directory (BuildKit mounts an empty temp dir).</summary>
public sealed class EmptyTree : ISnapshotTree
{
    public static readonly EmptyTree Instance = new();

    private static readonly FileStatus RootStatus = new(FileKind.Directory, 0x1ED, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0);

    public string Description => "empty base";

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
    {
        if (path.IsEmpty)
        {
            status = RootStatus;
            errno = 0;
            return true;
        }

        status = default;
        errno = Errno.ENOENT;
        return false;
    }

    public IReadOnlyList<DirEntry> List(ReadOnlySpan<byte> directory) => [];

    public byte[] ReadLink(ReadOnlySpan<byte> path) => throw Missing(path);

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name) => null;

    public IReadOnlyList<string> ListXattrs(ReadOnlySpan<byte> path) => [];

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path) => throw Missing(path);

    public string Locate(ReadOnlySpan<byte> path) => "(empty base)/" + PathBytes.Display(path);

    private static FsException Missing(ReadOnlySpan<byte> path) => new("open", "(empty base)/" + PathBytes.Display(path), Errno.ENOENT);

}
