namespace ParallelDiff.Core.Fs;

/// <summary>The Linux errno values the differ reacts to, and their messages.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EBADF = 9;

    /// <summary>Also EWOULDBLOCK on Linux: a non-blocking call (flock, write, openat2 RESOLVE_IN_ROOT) that would wait.</summary>
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EPIPE = 32;
    public const int ERANGE = 34;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;

    public static string Describe(int errno) => errno switch
    {
        EPERM => "operation not permitted (EPERM)",
        ENOENT => "no such file or directory (ENOENT)",
        EIO => "input/output error (EIO)",
        EAGAIN => "resource temporarily unavailable (EAGAIN)",
        EACCES => "permission denied (EACCES)",
        EEXIST => "file exists (EEXIST)",
        EXDEV => "cross-device link (EXDEV)",
        ENOTDIR => "not a directory (ENOTDIR)",
        EISDIR => "is a directory (EISDIR)",
        EINVAL => "invalid argument (EINVAL)",
        ELOOP => "refusing to follow a symbolic link (ELOOP)",
        ENODATA => "no such attribute (ENODATA)",
        EOPNOTSUPP => "operation not supported (EOPNOTSUPP)",
        ENOTEMPTY => "directory not empty (ENOTEMPTY)",
        EPIPE => "broken pipe (EPIPE)",
        ENAMETOOLONG => "file name too long (ENAMETOOLONG)",
        _ => $"errno {errno}",
    };
}
