using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors;

/// <summary>Counts a tree's entries and file bytes cheaply, stopping as soon as either is known to reach its limit.</summary>
internal static class UpperSize
{
    /// <summary>
    /// True when <paramref name="tree"/> holds fewer than <paramref name="limit"/> names and less
    /// than <paramref name="byteLimit"/> bytes of regular files, counted breadth first: one readdir
    /// per directory, and an lstat only for names counted before the limit is reached (to find the
    /// directories and sizes), so at most <paramref name="limit"/> lstats.
    /// </summary>
    public static bool IsBelow(DirectoryTree tree, int limit, long byteLimit)
    {
        if (limit <= 0 || byteLimit <= 0)
        {
            return false;
        }

        var fs = tree.FileSystem;
        var count = 0;
        var bytes = 0L;
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
                    if (!fs.TryLstat(path, out var status, out _))
                    {
                        continue;
                    }

                    if (status.IsDirectory)
                    {
                        directories.Enqueue(path);
                    }
                    else if (status.Kind == FileKind.Regular && (bytes += status.Size) >= byteLimit)
                    {
                        return false;
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
