using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli;

/// <summary>
/// Checks a command's outputs before any work is done, so that a bad one costs nothing and damages
/// nothing: a file output (-o, --report, --journal) is absent or a regular file, which is replaced;
/// never a device, FIFO, socket, symbolic link or directory (as root, "-o /dev/null" once replaced the
/// system's /dev/null with a layer). Its directory exists. And no output lies inside a directory of the
/// snapshot being exported: the blob would overwrite the snapshot, and the upper would hold our own files.
/// </summary>
public static class OutputPaths
{
    /// <summary>The directories a snapshot is read from, each named by its role for messages.</summary>
    public static SnapshotDirectories DirectoriesOf(Snapshot snapshot) => new(Labelled(snapshot, string.Empty));

    /// <summary>
    /// The directories <paramref name="snapshot"/> reads, each labelled by its role after
    /// <paramref name="prefix"/> ("snap-1 upper"): a bulk export lists a thousand snapshots' at once.
    /// </summary>
    public static List<(string Role, string Path)> Labelled(Snapshot snapshot, string prefix)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(prefix);
        var dirs = new List<(string, string)>(snapshot.Lowers.Count + 2);
        if (snapshot.Upper is { } upper)
        {
            dirs.Add((prefix + "upper", upper));
        }

        var lower = prefix + "lower";
        foreach (var layer in snapshot.Lowers)
        {
            dirs.Add((lower, layer.Path));
        }

        if (snapshot.From is { } from)
        {
            dirs.Add((prefix + "--from tree", from));
        }

        if (snapshot.To is { } to)
        {
            dirs.Add((prefix + "--to tree", to));
        }

        return dirs;
    }

    /// <summary>A file the command writes: absent or a regular file, in an existing directory, outside the snapshot.</summary>
    /// <exception cref="UsageException">An empty path.</exception>
    /// <exception cref="IOException">Anything else wrong with it; the message names the option, the path and the cause.</exception>
    public static void CheckFile(string option, string path, SnapshotDirectories snapshotDirectories)
    {
        var full = Full(option, path);
        if (LinuxFileSystem.Instance.TryLstat(PathBytes.FromString(full), out var status, out _))
        {
            if (status.IsDirectory)
            {
                throw new IOException($"{option} {full}: is a directory; {option} names the file to write");
            }

            if (status.Kind != FileKind.Regular)
            {
                throw new IOException($"{option} {full}: is a {KindName(status.Kind)}, not a regular file: refusing to replace it");
            }
        }

        CheckOutside(option, full, Resolved(full), snapshotDirectories);
        ResolvedDirectory(option, full, Path.GetDirectoryName(full)!);
    }

    /// <summary>A directory the command writes into (an OCI layout): absent in an existing directory, or a directory; outside the snapshot.</summary>
    /// <exception cref="UsageException">An empty path.</exception>
    /// <exception cref="IOException">Anything else wrong with it; the message names the option, the path and the cause.</exception>
    public static void CheckDirectory(string option, string path, SnapshotDirectories snapshotDirectories)
    {
        var full = Full(option, path);
        if (!Directory.Exists(full) && LinuxFileSystem.Instance.TryLstat(PathBytes.FromString(full), out _, out _))
        {
            throw new IOException($"{option} {full}: not a directory");
        }

        CheckOutside(option, full, Resolved(full), snapshotDirectories);
    }

    private static string Full(string option, string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new UsageException($"{option}: empty path");
        }

        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) is { Length: > 0 } trimmed ? trimmed : "/";
    }

    /// <summary>
    /// Where a path really leads: its nearest existing ancestor resolved (symbolic links followed),
    /// with the components that do not exist yet appended (a layout's folders are created on demand).
    /// </summary>
    private static string Resolved(string full)
    {
        var rest = new Stack<string>();
        var existing = full;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }

        string root;
        try
        {
            root = Encoding.UTF8.GetString(SnapshotPaths.CanonicalDirectory(existing, "directory")).TrimEnd('/');
        }
        catch (SnapshotException)
        {
            root = existing.TrimEnd('/');
        }

        return rest.Count == 0 ? root : root + "/" + string.Join('/', rest);
    }

    /// <summary>The canonical form of the directory an output goes into, which must exist.</summary>
    private static string ResolvedDirectory(string option, string output, string directory)
    {
        try
        {
            return Encoding.UTF8.GetString(SnapshotPaths.CanonicalDirectory(directory, "directory")).TrimEnd('/');
        }
        catch (SnapshotException e)
        {
            throw new IOException($"{option} {output}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses an output that lies in a snapshot directory: one of the ancestors of the output's
    /// resolved path (the parts that exist; the rest will be created inside them) is one.
    /// </summary>
    private static void CheckOutside(string option, string output, string resolved, SnapshotDirectories snapshotDirectories)
    {
        for (var ancestor = resolved.Length == 0 ? "/" : resolved; ; ancestor = Path.GetDirectoryName(ancestor)!)
        {
            if (snapshotDirectories.Find(ancestor) is var (role, dir))
            {
                throw new IOException($"{option} {output}: inside the snapshot's {role} {dir}: writing there would change the snapshot being exported");
            }

            if (ancestor == "/")
            {
                return;
            }
        }
    }

    private static string KindName(FileKind kind) => kind switch
    {
        FileKind.Symlink => "symbolic link",
        FileKind.CharDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Fifo => "FIFO",
        FileKind.Socket => "socket",
        _ => kind.ToString(),
    };
}
