using System.Globalization;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>The operations. Each falls back to creating a file when the tree has nothing it could act on.</summary>
internal sealed partial class RandomOperations
{
    private string Write(List<Node> tree)
    {
        var existing = _rng.Next(2) == 0 ? Pick(tree, n => n.IsFile) : null;
        var path = existing?.Path ?? NewPath(tree);
        var data = _rng.Content();
        var errno = Posix.WriteFile(Full(path), data, _rng.Pick(ScenarioChoices.FileModes), truncate: true);
        return $"write {path} {data.Length}B{(existing is null ? " (new)" : "")}{Outcome(errno)}";
    }

    private string Append(List<Node> tree)
    {
        if (Pick(tree, n => n.IsFile) is not { } file)
        {
            return Write(tree);
        }

        var data = new byte[_rng.Next(1, 3000)];
        _rng.NextBytes(data);
        return $"append {file.Path} {data.Length}B{Outcome(Posix.Append(Full(file.Path), data))}";
    }

    private string Truncate(List<Node> tree)
    {
        if (Pick(tree, n => n.IsFile) is not { } file)
        {
            return Write(tree);
        }

        var size = file.Status.Size;
        var length = _rng.Next(3) switch { 0 => 0, 1 => size / 2, _ => size + _rng.Next(1, 10000) };
        return $"truncate {file.Path} {size}->{length}{Outcome(Posix.Truncate(Full(file.Path), length))}";
    }

    /// <summary>
    /// New bytes, same size, and the old mtime put back (nanoseconds too): what BuildKit's
    /// nanosecond rule cannot see, and what --exact must.
    /// </summary>
    private string RewriteKeepingTimes(List<Node> tree)
    {
        if (Pick(tree, n => n.IsFile && n.Status.Size > 0) is not { } file)
        {
            return Write(tree);
        }

        var full = Full(file.Path);
        var length = (int)Math.Min(file.Status.Size, 64);
        var data = new byte[length];
        using (var stream = File.OpenRead(full))
        {
            stream.ReadExactly(data);
        }

        for (var i = 0; i < length; i++)
        {
            data[i] ^= 0xFF;
        }

        var errno = Posix.Overwrite(full, data);
        if (errno == 0)
        {
            errno = Posix.SetTimes(full, file.Status.MtimeSeconds, file.Status.MtimeNanoseconds);
        }

        return $"rewrite {file.Path} first {length}B, mtime kept {file.Status.MtimeSeconds}.{file.Status.MtimeNanoseconds:D9}{Outcome(errno)}";
    }

    /// <summary>Open for writing and close: a full copy-up that changes nothing (it breaks a lower hard link).</summary>
    private string OpenForWriting(List<Node> tree)
    {
        if (Pick(tree, n => n.IsFile) is not { } file)
        {
            return Write(tree);
        }

        return $"open-for-write {file.Path}{Outcome(Posix.Overwrite(Full(file.Path), []))}";
    }

    private string Delete(List<Node> tree)
    {
        if (Pick(tree, n => !n.IsDirectory) is not { } victim)
        {
            return RemoveTree(tree);
        }

        return $"unlink {victim.Path}{Outcome(Posix.Unlink(Full(victim.Path)))}";
    }

    private string RemoveTree(List<Node> tree)
    {
        if (Pick(tree, n => n.IsDirectory) is not { } dir)
        {
            return Write(tree);
        }

        return "rm -rf " + dir.Path + RemoveTreeOutcome(dir.Path);
    }

    /// <summary>rm -rf then a new directory (or file) of the same name: over a lower directory that is an opaque directory.</summary>
    private string ReplaceDirectory(List<Node> tree)
    {
        if (Pick(tree, n => n.IsDirectory) is not { } dir)
        {
            return MakeDirectory(tree);
        }

        var full = Full(dir.Path);
        var removed = RemoveTreeOutcome(dir.Path);
        if (_rng.Next(4) == 0)
        {
            var data = _rng.Content();
            return $"rm -rf {dir.Path}{removed}; write {dir.Path} {data.Length}B{Outcome(Posix.WriteFile(full, data, 0x1A4, truncate: false))}";
        }

        var mode = _rng.Pick(ScenarioChoices.DirectoryModes);
        return $"rm -rf {dir.Path}{removed}; mkdir {dir.Path} {Convert.ToString(mode, 8)}{Outcome(Posix.Mkdir(full, mode))}";
    }

    /// <summary>
    /// The rm binary, not a walk of our own: rm -f ignores a name readdir lists and unlink cannot
    /// find (a whiteout in a directory not merged with anything below), as a user's rm -rf would.
    /// </summary>
    private string RemoveTreeOutcome(string path) => Outcome(ExternalCommand.Run("rm", "-rf", "--", Full(path)));

    /// <summary>
    /// rename(2), onto a new name or over an existing one of the same kind (an empty directory for
    /// a directory). When the kernel answers EXDEV (a lower directory without redirect_dir=on) this
    /// does what mv does: copy, then remove; so it runs mv itself.
    /// </summary>
    private string Rename(List<Node> tree)
    {
        if (Pick(tree, _ => true) is not { } source)
        {
            return Write(tree);
        }

        string? target = null;
        if (_rng.Next(5) < 2)
        {
            var over = source.IsDirectory
                ? Pick(tree, n => n.IsDirectory && !IsSameOrUnder(n.Path, source.Path) && !tree.Any(c => c.Path.StartsWith(n.Path + "/", StringComparison.Ordinal)))
                : Pick(tree, n => !n.IsDirectory && n.Path != source.Path);
            target = over?.Path;
        }

        target ??= NewPath(tree, notUnder: source.IsDirectory ? source.Path : null);
        var line = $"rename {source.Path} -> {target}";
        var errno = Posix.Rename(Full(source.Path), Full(target));
        if (errno != Posix.EXDEV)
        {
            return line + Outcome(errno);
        }

        string[] arguments = ["-T", Full(source.Path), Full(target)];
        return line + " (EXDEV: mv -T copies)" + Outcome(ExternalCommand.Run("mv", arguments));
    }

    private string Chmod(List<Node> tree)
    {
        if (Pick(tree, n => n.Status.Kind != Core.Fs.FileKind.Symlink) is not { } node)
        {
            return Write(tree);
        }

        var mode = _rng.Pick(node.IsDirectory ? ScenarioChoices.DirectoryModes : ScenarioChoices.FileModes);
        return $"chmod {Convert.ToString(mode, 8)} {node.Path}{Outcome(Posix.Chmod(Full(node.Path), mode))}";
    }

    private string Chown(List<Node> tree)
    {
        if (Pick(tree, _ => true) is not { } node)
        {
            return Write(tree);
        }

        var uid = _rng.Pick(ScenarioChoices.Ids);
        var gid = _rng.Pick(ScenarioChoices.Ids);
        return $"lchown {uid}:{gid} {node.Path}{Outcome(Posix.Lchown(Full(node.Path), uid, gid))}";
    }

    /// <summary>touch with an explicit time: 0 ns as a tar leaves it, or any nanoseconds, now and then before 1970.</summary>
    private string Touch(List<Node> tree)
    {
        if (Pick(tree, _ => true) is not { } node)
        {
            return Write(tree);
        }

        var seconds = _rng.Next(20) == 0 ? -_rng.NextInt64(1, 100_000_000) : _rng.TarSeconds();
        var nanoseconds = _rng.Next(2) == 0 ? 0 : _rng.Next(1, 1_000_000_000);
        return $"touch {seconds}.{nanoseconds:D9} {node.Path}{Outcome(Posix.SetTimes(Full(node.Path), seconds, nanoseconds))}";
    }

    /// <summary>setcap (security.capability), or setcap -r to remove it; the binary, as a user would.</summary>
    private string SetCap(List<Node> tree)
    {
        if (Pick(tree, n => n.IsFile) is not { } file)
        {
            return Write(tree);
        }

        string[] arguments = _rng.Next(4) == 0 ? ["-r", Full(file.Path)] : [_rng.Pick(ScenarioChoices.Capabilities), Full(file.Path)];
        return $"setcap {arguments[0]} {file.Path}{Outcome(ExternalCommand.Run("setcap", arguments))}";
    }

    private string Symlink(List<Node> tree)
    {
        var path = NewPath(tree);
        var target = _rng.Pick(ScenarioChoices.SymlinkTargets);
        return $"symlink {path} -> {target}{Outcome(Posix.Symlink(target, Full(path)))}";
    }

    private string HardLink(List<Node> tree)
    {
        if (Pick(tree, n => !n.IsDirectory) is not { } existing)
        {
            return Write(tree);
        }

        var path = NewPath(tree);
        return $"link {existing.Path} {path}{Outcome(Posix.Link(Full(existing.Path), Full(path)))}";
    }

    private string MakeNode(List<Node> tree, bool fifo)
    {
        var path = NewPath(tree);
        var mode = (uint)_rng.Pick(ScenarioChoices.NodeModes);
        if (fifo)
        {
            return $"mkfifo {path}{Outcome(Posix.Mknod(Full(path), Posix.S_IFIFO | mode, 0, 0))}";
        }

        var (major, minor) = _rng.Pick(ScenarioChoices.Devices);
        var block = _rng.Next(2) == 0;
        var errno = Posix.Mknod(Full(path), (block ? Posix.S_IFBLK : Posix.S_IFCHR) | mode, major, minor);
        return string.Create(CultureInfo.InvariantCulture, $"mknod {path} {(block ? 'b' : 'c')} {major} {minor}{Outcome(errno)}");
    }

    private string MakeDirectory(List<Node> tree)
    {
        var path = NewPath(tree);
        var mode = _rng.Pick(ScenarioChoices.DirectoryModes);
        return $"mkdir {path} {Convert.ToString(mode, 8)}{Outcome(Posix.Mkdir(Full(path), mode))}";
    }
}
