using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// The walk order of the vectors (and of the differs): pre-order, the names of each directory
/// sorted byte-wise, the root first as ".". Nothing is followed: symlinks are entries, not paths.
/// </summary>
public static class TreeWalk
{
    /// <param name="root">The directory to walk.</param>
    /// <param name="skipVanished">
    /// Skip names that readdir lists but lstat cannot find (ENOENT). A kernel overlay does this with
    /// a whiteout inside a non-merged directory (vectors 58 and 61); merged.json leaves them out.
    /// </param>
    public static IEnumerable<TreeWalkEntry> Walk(string root, bool skipVanished)
    {
        var rootPath = PathBytes.FromString(root);
        if (!LinuxFileSystem.Instance.TryLstat(rootPath, out var rootStatus, out var errno))
        {
            throw new FsException("lstat", root, errno);
        }

        yield return new TreeWalkEntry("."u8.ToArray(), rootPath, rootStatus);
        if (!rootStatus.IsDirectory)
        {
            yield break;
        }

        // An explicit stack of pending siblings keeps deep trees off the call stack.
        var stack = new Stack<(byte[] Relative, byte[] Full)>();
        PushChildren(stack, [], rootPath);
        while (stack.Count > 0)
        {
            var (relative, full) = stack.Pop();
            if (!LinuxFileSystem.Instance.TryLstat(full, out var status, out errno))
            {
                if (skipVanished && errno == Errno.ENOENT)
                {
                    continue;
                }

                throw new FsException("lstat", PathBytes.Display(full), errno);
            }

            yield return new TreeWalkEntry(relative, full, status);
            if (status.IsDirectory)
            {
                PushChildren(stack, relative, full);
            }
        }
    }

    private static void PushChildren(Stack<(byte[] Relative, byte[] Full)> stack, byte[] relative, byte[] full)
    {
        var names = LinuxFileSystem.Instance.ReadDirectory(full);
        names.Sort(PathBytes.NameOrder);

        // Pushed last-first so that the smallest name is popped first.
        for (var i = names.Count - 1; i >= 0; i--)
        {
            stack.Push((PathBytes.Join(relative, names[i]), PathBytes.Join(full, names[i])));
        }
    }
}
