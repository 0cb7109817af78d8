using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Extended-attribute operations for the --xattrs all scenarios: set a new user.* name, change a
/// value, set an empty value, remove one. On a lower entry overlayfs copies it up with the same
/// mtime, size and mode, so the xattr set is the only change a differ can see (issue 12 §1).
/// </summary>
internal sealed partial class RandomOperations
{
    /// <summary>Names to set; one is 40 bytes long, the length that went missing in the issue's stacks.</summary>
    public static readonly string[] XattrNames = ["user.a", "user.b", "user.mime", "user." + new string('n', 35)];

    /// <summary>Also run xattr operations (one step in three); off keeps every existing seed's operations as they were.</summary>
    public bool WithXattrs { get; init; }

    private string XattrStep(List<Node> tree)
    {
        // user.* xattrs exist only on regular files and directories.
        if (Pick(tree, n => n.IsFile || n.IsDirectory) is not { } node)
        {
            return Write(tree);
        }

        var full = Full(node.Path);
        var present = LinuxFileSystem.Instance.ListXattrs(System.Text.Encoding.UTF8.GetBytes(full))
            .Where(name => name.StartsWith("user.", StringComparison.Ordinal)).ToList();
        if (present.Count > 0 && _rng.Next(3) == 0)
        {
            var name = _rng.Pick(present);
            return $"setfattr -x {name} {node.Path}{Outcome(ExternalCommand.Run("setfattr", "-x", name, full))}";
        }

        var set = _rng.Pick(XattrNames);
        var value = XattrValue(_rng);
        return $"setxattr {set}={value.Length}B {node.Path}{Outcome(Posix.SetXattr(full, set, value))}";
    }

    /// <summary>A value, empty one time in four (an empty value is a value, not an absent xattr).</summary>
    public static byte[] XattrValue(Random rng)
    {
        var value = new byte[rng.Next(4) == 0 ? 0 : rng.Next(1, 40)];
        rng.NextBytes(value);
        return value;
    }

    /// <summary>
    /// Gives some regular files and directories of a layer written on disk user.* xattrs, so that
    /// operations above have lower xattrs to change and remove. Returns one line per xattr set.
    /// </summary>
    public static IReadOnlyList<string> DecorateLayer(string root, Random rng)
    {
        var log = new List<string>();
        foreach (var walked in TreeWalk.Walk(root, skipVanished: true))
        {
            var kind = walked.Status.Kind;
            if (walked.IsRoot || (kind != FileKind.Regular && kind != FileKind.Directory) || rng.Next(2) == 0)
            {
                continue;
            }

            var name = rng.Pick(XattrNames);
            var value = XattrValue(rng);
            var full = PathBytes.Display(walked.FullPath);
            Posix.Must(Posix.SetXattr(full, name, value), "setxattr " + name, full);
            log.Add($"xattr {PathBytes.Display(walked.RelativePath)} {name}={value.Length}B");
        }

        return log;
    }
}
