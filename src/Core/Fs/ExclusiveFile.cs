using System.Diagnostics;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Opens (or creates) a file that only one export may hold: FileShare.None, which on Linux is a non-blocking
/// exclusive flock(2) held until the stream is closed. A refusal is retried for a short grace
/// period before it is believed, because a child process that any thread of this process forks
/// holds a copy of every descriptor until it calls exec (O_CLOEXEC closes them only then), so a
/// lock this process has just released can look held for a few milliseconds. Another export holds
/// its lock for its whole run, far longer than the grace period, so it is still refused.
/// </summary>
internal static class ExclusiveFile
{
    /// <summary>How long a refusal is retried; fork-to-exec is milliseconds even on a loaded machine.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    /// <exception cref="IOException">The file is still locked after <see cref="Grace"/>, or cannot be opened.</exception>
    public static FileStream Open(string path)
    {
        var clock = Stopwatch.StartNew();
        var pause = 1;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (IsRefused(e) && clock.Elapsed < Grace)
            {
                Thread.Sleep(pause);
                pause = Math.Min(pause * 2, 50);
            }
        }
    }

    /// <summary>Whether opening with FileShare.None failed because another open file holds the flock (EWOULDBLOCK, which .NET gives as the HResult).</summary>
    public static bool IsRefused(IOException e) => e.HResult == Errno.EAGAIN;
}
