using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Writes a random layer straight onto disk, the way an unpacked image layer looks: directories,
/// files of random sizes, symlinks, hard links within the layer, fifos, devices, setuid bits,
/// capabilities, random owners and whole-second mtimes (0 ns, as tar extraction leaves them).
/// Layers above the bottom may also hold whiteouts (char 0/0) and opaque directories.
/// </summary>
internal static class RandomLayer
{
    /// <summary>Builds the layer in <paramref name="root"/> and returns one line per entry, for failure messages.</summary>
    public static IReadOnlyList<string> Build(string root, Random rng, bool withOverlayMarkers, string opaqueXattr)
    {
        Directory.CreateDirectory(root);
        var log = new List<string>();
        var directories = new List<string> { "" };
        var files = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);

        // Times go on after every entry exists (a new name moves its directory's mtime), children first.
        var timed = new List<string>();
        var count = rng.Next(4, 20);
        for (var i = 0; i < count; i++)
        {
            var parent = rng.Pick(directories);
            var name = rng.Pick(ScenarioChoices.Names);
            var path = parent.Length == 0 ? name : parent + "/" + name;
            if (!used.Add(path))
            {
                continue;
            }

            var full = Path.Combine(root, path);
            var roll = rng.Next(100);
            string line;
            if (roll < 28)
            {
                Posix.Must(Posix.Mkdir(full, 0x1C0), "mkdir", full);
                var opaque = withOverlayMarkers && rng.Next(5) == 0;
                line = "dir " + path + Own(full, rng, ScenarioChoices.DirectoryModes) + (opaque ? " opaque" : "");
                if (opaque)
                {
                    Posix.Must(Posix.SetXattr(full, opaqueXattr, "y"u8.ToArray()), "setxattr " + opaqueXattr, full);
                }

                directories.Add(path);
            }
            else if (roll < 68)
            {
                var data = rng.Content();
                Posix.Must(Posix.WriteFile(full, data, 0x180, truncate: false), "write", full);
                line = $"file {path} {data.Length}B" + Own(full, rng, ScenarioChoices.FileModes);
                if (rng.Next(8) == 0)
                {
                    var caps = rng.Pick(ScenarioChoices.Capabilities);
                    RunSetcap(caps, full);
                    line += " setcap " + caps;
                }

                files.Add(path);
            }
            else if (roll < 76 && files.Count > 0)
            {
                var target = rng.Pick(files);
                Posix.Must(Posix.Link(Path.Combine(root, target), full), "link", full);
                log.Add($"hardlink {path} => {target}");
                continue;
            }
            else if (roll < 84)
            {
                var target = rng.Pick(ScenarioChoices.SymlinkTargets);
                Posix.Must(Posix.Symlink(target, full), "symlink", full);
                line = $"symlink {path} -> {target}" + Owner(full, rng);
            }
            else if (roll < 88)
            {
                Posix.Must(Posix.Mknod(full, Posix.S_IFIFO | 0x180, 0, 0), "mkfifo", full);
                line = "fifo " + path + Own(full, rng, ScenarioChoices.NodeModes);
            }
            else if (roll < 92)
            {
                var (major, minor) = rng.Pick(ScenarioChoices.Devices);
                var block = rng.Next(2) == 0;
                Posix.Must(Posix.Mknod(full, (block ? Posix.S_IFBLK : Posix.S_IFCHR) | 0x180, major, minor), "mknod", full);
                line = $"{(block ? "block" : "char")} {path} {major}:{minor}" + Own(full, rng, ScenarioChoices.NodeModes);
            }
            else if (withOverlayMarkers)
            {
                // The on-disk form of a whiteout (kernel overlayfs.rst, "whiteouts and opaque directories").
                Posix.Must(Posix.Mknod(full, Posix.S_IFCHR, 0, 0), "mknod whiteout", full);
                log.Add("whiteout " + path);
                continue;
            }
            else
            {
                Posix.Must(Posix.WriteFile(full, [], 0x1A4, truncate: false), "write", full);
                line = "file " + path + " 0B";
                files.Add(path);
            }

            log.Add(line);
            timed.Add(full);
        }

        for (var i = timed.Count - 1; i >= 0; i--)
        {
            Posix.Must(Posix.SetTimes(timed[i], rng.TarSeconds(), 0), "utimensat", timed[i]);
        }

        return log;
    }

    /// <summary>lchown then chmod (chown clears setuid and capabilities, so it goes first).</summary>
    private static string Own(string full, Random rng, IReadOnlyList<int> modes)
    {
        var owner = Owner(full, rng);
        var mode = rng.Pick(modes);
        Posix.Must(Posix.Chmod(full, mode), "chmod", full);
        return $" {Convert.ToString(mode, 8)}{owner}";
    }

    private static string Owner(string full, Random rng)
    {
        var uid = rng.Pick(ScenarioChoices.Ids);
        var gid = rng.Pick(ScenarioChoices.Ids);
        Posix.Must(Posix.Lchown(full, uid, gid), "lchown", full);
        return $" {uid}:{gid}";
    }

    public static void RunSetcap(string capabilities, string path)
    {
        string[] arguments = [capabilities, path];
        var result = ExternalCommand.Run("setcap", arguments);
        if (!result.Succeeded)
        {
            throw new IOException(ExternalCommand.Describe("setcap", arguments, result));
        }
    }
}
