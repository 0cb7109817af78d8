namespace ParallelDiff.Core.Tests.Support;

/// <summary>The spelling of <see cref="TreeEntryType"/> in the vector JSON files ("dir", "char", …).</summary>
public static class TreeEntryTypeNames
{
    public static TreeEntryType Parse(string name) => name switch
    {
        "dir" => TreeEntryType.Directory,
        "file" => TreeEntryType.File,
        "symlink" => TreeEntryType.Symlink,
        "hardlink" => TreeEntryType.Hardlink,
        "fifo" => TreeEntryType.Fifo,
        "char" => TreeEntryType.CharDevice,
        "block" => TreeEntryType.BlockDevice,
        "socket" => TreeEntryType.Socket,
        "whiteout" => TreeEntryType.Whiteout,
        _ => throw new FormatException($"unknown entry type \"{name}\""),
    };

    public static string ToJsonName(this TreeEntryType type) => type switch
    {
        TreeEntryType.Directory => "dir",
        TreeEntryType.File => "file",
        TreeEntryType.Symlink => "symlink",
        TreeEntryType.Hardlink => "hardlink",
        TreeEntryType.Fifo => "fifo",
        TreeEntryType.CharDevice => "char",
        TreeEntryType.BlockDevice => "block",
        TreeEntryType.Socket => "socket",
        TreeEntryType.Whiteout => "whiteout",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
