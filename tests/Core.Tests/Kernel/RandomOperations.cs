using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Random operations through a mounted overlay, each chosen from what the merged view holds at
/// that moment, applied at once and logged as one line with its outcome. The same seed over the
/// same layers gives the same operations. Left out on purpose, because no layer can express what
/// they leave behind: sockets (never written to a tar), names starting with ".wh." (every tar
/// reader takes them for whiteouts) and char 0/0 devices (overlayfs reads them as whiteouts).
/// </summary>
internal sealed partial class RandomOperations
{
    private readonly string _root;
    private readonly Random _rng;

    public RandomOperations(string mountPoint, Random rng)
    {
        _root = mountPoint;
        _rng = rng;
    }

    public List<string> Log { get; } = [];

    /// <summary>One name of the merged view: relative path ("" is the root) and what lstat says.</summary>
    private sealed record Node(string Path, FileStatus Status)
    {
        public bool IsDirectory => Status.IsDirectory;

        public bool IsFile => Status.Kind == FileKind.Regular;
    }

    public void Run(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var tree = Scan();
            string line;
            try
            {
                line = WithXattrs && _rng.Next(3) == 0 ? XattrStep(tree) : Step(tree);
            }
            catch (IOException e)
            {
                // Recorded, not thrown: a refused operation is part of the scenario, and the seed replays it.
                line = "failed: " + e.Message;
            }

            Log.Add(line);
        }
    }

    private string Step(List<Node> tree) => _rng.Next(100) switch
    {
        < 12 => Write(tree),
        < 16 => Append(tree),
        < 19 => Truncate(tree),
        < 23 => RewriteKeepingTimes(tree),
        < 26 => OpenForWriting(tree),
        < 32 => Delete(tree),
        < 36 => RemoveTree(tree),
        < 40 => ReplaceDirectory(tree),
        < 51 => Rename(tree),
        < 57 => Chmod(tree),
        < 62 => Chown(tree),
        < 68 => Touch(tree),
        < 72 => SetCap(tree),
        < 77 => Symlink(tree),
        < 84 => HardLink(tree),
        < 87 => MakeNode(tree, fifo: true),
        < 90 => MakeNode(tree, fifo: false),
        _ => MakeDirectory(tree),
    };

    private List<Node> Scan() =>
        TreeWalk.Walk(_root, skipVanished: true)
            .Select(w => new Node(w.RelativePath.AsSpan().SequenceEqual("."u8) ? "" : PathBytes.Display(w.RelativePath), w.Status))
            .ToList();

    private string Full(string relative) => relative.Length == 0 ? _root : Path.Combine(_root, relative);

    /// <summary>
    /// A random name other than the root that matches, or null. One time in three it prefers a
    /// name with other hard links: copy-up breaks lower hard links (index=off), which a layer must
    /// reproduce, and plain random picks rarely land on one.
    /// </summary>
    private Node? Pick(List<Node> tree, Func<Node, bool> match)
    {
        var candidates = tree.Where(n => n.Path.Length > 0 && match(n)).ToList();
        var linked = candidates.Where(n => n.Status.IsHardLinked).ToList();
        if (linked.Count > 0 && _rng.Next(3) == 0)
        {
            return _rng.Pick(linked);
        }

        return candidates.Count == 0 ? null : _rng.Pick(candidates);
    }

    /// <summary>A name that does not exist yet, in a random directory that is not <paramref name="notUnder"/> or below it.</summary>
    private string NewPath(List<Node> tree, string? notUnder = null)
    {
        var directories = tree.Where(n => n.IsDirectory && (notUnder is null || !IsSameOrUnder(n.Path, notUnder))).ToList();
        var parent = directories.Count == 0 ? "" : _rng.Pick(directories).Path;
        var existing = tree.Select(n => n.Path).ToHashSet(StringComparer.Ordinal);
        var name = _rng.Pick(ScenarioChoices.Names);
        var path = Join(parent, name);
        for (var suffix = 1; existing.Contains(path); suffix++)
        {
            path = Join(parent, name + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return path;
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    private static bool IsSameOrUnder(string path, string ancestor) =>
        path == ancestor || path.StartsWith(ancestor + "/", StringComparison.Ordinal);

    private static string Outcome(int errno) => errno == 0 ? "" : $" -> errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})";

    private static string Outcome(ExternalCommand.Result result) =>
        result.Succeeded ? "" : $" -> exit {result.ExitCode}: {result.StandardError.Trim()}";
}
