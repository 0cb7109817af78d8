using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors;

/// <summary>Counts a tree's entries cheaply, stopping as soon as the count is known to reach a limit.</summary>
internal static class UpperSize
{
    /// <summary>
    /// True when <paramref name="tree"/> holds fewer than <paramref name="limit"/> names, counted
    /// breadth first: one readdir per directory, and an lstat only for names counted before the
    /// limit is reached (to find the directories), so at most <paramref name="limit"/> lstats.
    /// </summary>
    public static bool IsBelow(DirectoryTree tree, int limit)
    {
        if (limit <= 0)
        {
            return false;
        }

        var fs = tree.FileSystem;
        var count = 0;
        var directories = new Queue<byte[]>();
        directories.Enqueue(tree.RootBytes);
        try
        {
            while (directories.TryDequeue(out var directory))
            {
                var names = fs.ReadDirectory(directory);
                count += names.Count;
                if (count >= limit)
                {
                    return false;
                }

                foreach (var name in names)
                {
                    var path = PathBytes.Join(directory, name);
                    if (fs.TryLstat(path, out var status, out _) && status.IsDirectory)
                    {
                        directories.Enqueue(path);
                    }
                }
            }
        }
        catch (FsException)
        {
            // Unreadable: not known to be small. The walk reports it, naming the snapshot and the path.
            return false;
        }

        return true;
    }
}
