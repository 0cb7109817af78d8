using System.Diagnostics;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>Lock files as tests see them from outside: whether another process holds one yet.</summary>
public static class LockFiles
{
    /// <summary>
    /// Waits until another process (flock(1), started just before) holds an exclusive flock on
    /// <paramref name="path"/>: a fixed sleep instead can end before a loaded machine has even
    /// started that process, and the test then measures nothing.
    /// </summary>
    public static void WaitUntilHeldElsewhere(string path)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
            }
            catch (IOException e) when (ExclusiveFile.IsRefused(e))
            {
                return;
            }
            catch (FileNotFoundException)
            {
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"no other process took the lock on {path} within 10 s");
    }
}
