using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// An exclusive flock(2) on a lock file beside index.json, held while index.json is read, changed
/// and replaced, so that writers in several processes (or several threads, each with its own open
/// file) never lose each other's updates. The file is opened with open(2) rather than FileStream,
/// because FileStream takes a non-blocking flock of its own that would fail instead of waiting.
/// The lock file is never deleted: removing it while another writer waits on it would let two
/// writers hold "the" lock on two different files.
/// </summary>
internal sealed partial class IndexLock : IDisposable
{
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;

    private int _fd;

    private IndexLock(int fd) => _fd = fd;

    /// <summary>Waits until the lock is free (polling, so that a timeout and cancellation can end the wait).</summary>
    /// <exception cref="TimeoutException">Another writer held the lock for longer than <paramref name="timeout"/>.</exception>
    public static unsafe IndexLock Acquire(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int fd;
        using (var c = new CPath(Encoding.UTF8.GetBytes(path)))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, 0b110_100_100);
        }

        if (fd < 0)
        {
            throw new FsException("open lock file", path, Marshal.GetLastPInvokeError());
        }

        try
        {
            var clock = Stopwatch.StartNew();
            var pause = 1;
            while (Flock(fd, LOCK_EX | LOCK_NB) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno != Errno.EAGAIN)
                {
                    throw new FsException("flock", path, errno);
                }

                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"{path}: another writer has held the index lock for more than {timeout.TotalSeconds:0.#} s");
                }

                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(pause);
                pause = Math.Min(pause * 2, 50);
            }

            return new IndexLock(fd);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Closing the descriptor releases the lock.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
