using System.Text;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

/// <summary>
/// One line of /proc/PID/mountinfo (proc_pid_mountinfo(5)), with every field decoded:
/// "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue".
/// </summary>
public sealed record MountInfoEntry
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public required int MountId { get; init; }

    public required int ParentId { get; init; }

    /// <summary>"major:minor" of the superblock.</summary>
    public required string Device { get; init; }

    /// <summary>The directory of the file system that is the root of this mount ("/" unless it is a bind of a subtree).</summary>
    public required string Root { get; init; }

    public required string MountPoint { get; init; }

    /// <summary>Per-mount options (rw, nosuid, relatime…), decoded.</summary>
    public required string MountOptions { get; init; }

    /// <summary>The optional "tag[:value]" fields (shared:N, master:N…).</summary>
    public required IReadOnlyList<string> OptionalFields { get; init; }

    public required string FsType { get; init; }

    public required string Source { get; init; }

    /// <summary>The superblock options, split on ',' and then decoded, so an escaped ',' stays inside its option.</summary>
    public required IReadOnlyList<string> SuperOptions { get; init; }

    /// <summary>Parses one line; <paramref name="where"/> ("FILE:LINE") prefixes every error.</summary>
    /// <exception cref="SnapshotException">The line does not have mountinfo's shape, or a path is not UTF-8.</exception>
    public static MountInfoEntry Parse(string line, string where)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(' ');
        var separator = Array.IndexOf(fields, "-", 6);
        if (fields.Length < 10 || separator < 0 || fields.Length != separator + 4)
        {
            throw new SnapshotException($"{where}: not a mountinfo line (expected \"ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS\"): {line}");
        }

        if (!int.TryParse(fields[0], out var id) || !int.TryParse(fields[1], out var parent))
        {
            throw new SnapshotException($"{where}: the mount and parent ids are not numbers: {line}");
        }

        // The kernel escapes only ' ', '\t', '\n' and '\' in paths (and ',' '=' in overlay's values), so a
        // ',' that separates super options is always a literal one: split first, decode after.
        return new MountInfoEntry
        {
            MountId = id,
            ParentId = parent,
            Device = fields[2],
            Root = Decode(fields[3], where),
            MountPoint = Decode(fields[4], where),
            MountOptions = Decode(fields[5], where),
            OptionalFields = fields[6..separator],
            FsType = Decode(fields[separator + 1], where),
            Source = Decode(fields[separator + 2], where),
            SuperOptions = fields[separator + 3].Split(',').Select(o => Decode(o, where)).ToList(),
        };
    }

    /// <summary>
    /// Undoes the kernel's mangling (seq_escape / mangle in fs/proc_namespace.c): every "\NNN" with
    /// three octal digits is the byte NNN. Anything else is taken as it is. The bytes must be UTF-8,
    /// because the snapshot model names directories by string.
    /// </summary>
    public static string Decode(string field, string where)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field[i + 1] is >= '0' and <= '3' && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                bytes.Add((byte)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
                continue;
            }

            var rune = Rune.GetRuneAt(field, i);
            var n = rune.EncodeToUtf8(utf8);
            bytes.AddRange(utf8[..n]);
            i += rune.Utf16SequenceLength - 1;
        }

        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new SnapshotException($"{where}: \"{field}\" decodes to bytes that are not UTF-8, which a snapshot path cannot hold", e);
        }
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
