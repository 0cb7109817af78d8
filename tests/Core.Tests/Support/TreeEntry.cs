using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// One name of a tree as merged.json describes it, and as <see cref="TreeSnapshot"/> captures a
/// real directory: what a user of the tree sees. Path is relative raw bytes, "." for the root.
/// Size and Sha256 are set for files only, Target for symlinks, Rdev for devices (and whiteouts);
/// Capability is the raw security.capability value; LinkGroup is the first path, in walk order, of
/// the names that share this entry's inode (null when no other visible name shares it).
/// </summary>
public sealed record TreeEntry
{
    public required byte[] Path { get; init; }

    public required TreeEntryType Type { get; init; }

    /// <summary>Permission bits plus setuid/setgid/sticky (07777).</summary>
    public int Mode { get; init; }

    public long Uid { get; init; }

    public long Gid { get; init; }

    /// <summary>mtime in whole seconds, floored (-1.5 s is -2).</summary>
    public long Mtime { get; init; }

    public long? Size { get; init; }

    /// <summary>Lower-case hex sha256 of the file's bytes.</summary>
    public string? Sha256 { get; init; }

    public byte[]? Target { get; init; }

    public DeviceNumber? Rdev { get; init; }

    public byte[]? Capability { get; init; }

    public byte[]? LinkGroup { get; init; }

    public bool IsRoot => Path.AsSpan().SequenceEqual("."u8);

    public string DisplayPath => PathBytes.Display(Path);

    public override string ToString() => $"{DisplayPath} ({Type.ToJsonName()} {TreeText.Mode(Mode)})";
}
