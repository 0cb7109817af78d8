using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// One change to one entry of a lower, on raw byte paths: chmod (a symbolic link, which has no mode
/// of its own, is touched instead), touch -m, or a new file under the entry (a directory) or beside
/// it. <see cref="Changed"/> is what the change makes print differently: the entry itself, or the
/// directory that got a name (and the new name).
/// </summary>
public sealed unsafe class LowerMutation
{
    public enum Kind
    {
        Chmod,
        Touch,
        NewName,
    }

    private readonly Kind _kind;
    private readonly int _round;

    private LowerMutation(string root, byte[] target, Kind kind, int round, FileStatus status)
    {
        Root = root;
        Target = target;
        _round = round;
        _kind = kind == Kind.Chmod && status.Kind == FileKind.Symlink ? Kind.Touch : kind;
        Status = status;
        Directory = _kind != Kind.NewName ? null : status.IsDirectory ? target : PathBytes.Parent(target).ToArray();
    }

    /// <summary>The lower (its root as given to the jobs) the entry is in.</summary>
    public string Root { get; }

    /// <summary>The entry, absolute.</summary>
    public byte[] Target { get; }

    /// <summary>The entry's status before the change: its inode is changed under every name it has.</summary>
    public FileStatus Status { get; }

    /// <summary>For a new name, the directory it goes in.</summary>
    public byte[]? Directory { get; }

    /// <summary>The paths that print differently after <see cref="Apply"/>.</summary>
    public IReadOnlyList<byte[]> Changed => Directory is { } directory ? [directory, NewName(directory)] : [Target];

    /// <summary>Whether the inode changed is <paramref name="status"/>'s (a hard link of the entry shares the change).</summary>
    public bool ChangesInode(in FileStatus status) => Directory is null && status.Inode == Status.Inode && status.Device == Status.Device;

    /// <summary>The change round <paramref name="round"/> makes to <paramref name="target"/> (the kinds take turns).</summary>
    public static LowerMutation Plan(string root, byte[] target, int round)
    {
        if (!LinuxFileSystem.Instance.TryLstat(target, out var status, out var errno))
        {
            throw new FsException("lstat", PathBytes.Display(target), errno);
        }

        return new LowerMutation(root, target, (Kind)(round % 3), round, status);
    }

    public void Apply()
    {
        switch (_kind)
        {
            case Kind.Chmod:
                Must(Call(Target, p => LibC.FchmodAt(LibC.AT_FDCWD, p, (uint)(Status.Mode ^ 0x1), 0)), "chmod");
                break;
            case Kind.Touch:
                var times = stackalloc LibC.Timespec[2];
                times[0] = times[1] = new LibC.Timespec { Seconds = 978307200 + _round, Nanoseconds = 123 };
                Must(Call(Target, p => LibC.UtimensAt(LibC.AT_FDCWD, p, times, LibC.AT_SYMLINK_NOFOLLOW)), "utimensat");
                break;
            default:
                var fd = 0;
                Must(Call(NewName(Directory!), p => fd = LibC.OpenAt(LibC.AT_FDCWD, p, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x1A4)), "create");
                LibC.Close(fd);
                break;
        }
    }

    public override string ToString() => $"{_kind} {PathBytes.Display(Target)}";

    private byte[] NewName(byte[] directory) => PathBytes.Join(directory, System.Text.Encoding.ASCII.GetBytes($"pd-new-{_round}"));

    private delegate int PathCall(byte* path);

    private static int Call(byte[] path, PathCall call)
    {
        using var c = new CPath(path);
        return call(c.Pointer) < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    private void Must(int errno, string what)
    {
        if (errno != 0)
        {
            throw new IOException($"{what} {PathBytes.Display(Target)}: {Errno.Describe(errno)}");
        }
    }
}
