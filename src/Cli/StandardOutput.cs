using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Cli;

/// <summary>
/// What a command prints on stdout (a descriptor line, a help text), written with write(2) on file
/// descriptor 1 the way Console.Out writes it: whole, and a reader that went away (EPIPE) is not an
/// error. System.Console is left alone because its first use sets up the terminal and reads the
/// terminfo database, some 10 ms of a one-file diff that prints one line. ASCII is the same bytes in
/// every console encoding; text with other characters goes through Console.Out, which follows the locale.
/// </summary>
public static partial class StandardOutput
{
    private const int StdOut = 1;

    public static void WriteLine(string line) => Write(line + "\n");

    public static void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Ascii.IsValid(text))
        {
            Console.Out.Write(text);
            return;
        }

        var bytes = Encoding.ASCII.GetBytes(text);
        var done = 0;
        while (done < bytes.Length)
        {
            var n = WriteBytes(StdOut, bytes.AsSpan(done));
            if (n >= 0)
            {
                done += (int)n;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Errno.EINTR:
                    continue;
                case Errno.EPIPE:
                    return;
                case Errno.EAGAIN:
                    // A non-blocking stdout that is full: Console's stream waits for it to drain.
                    using (var console = Console.OpenStandardOutput())
                    {
                        console.Write(bytes, done, bytes.Length - done);
                    }

                    return;
                default:
                    throw new IOException($"cannot write to standard output: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteBytes(int fd, ReadOnlySpan<byte> buffer, nuint count);

    private static nint WriteBytes(int fd, ReadOnlySpan<byte> buffer) => WriteBytes(fd, buffer, (nuint)buffer.Length);
}
