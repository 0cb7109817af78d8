using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Cli;

/// <summary>
/// The published CLI is two native executables built from this code. <c>paralleldiff</c> leaves
/// Akka's reflection-built parts out, so it starts in a few milliseconds, and writes small uppers
/// itself; whatever needs the actor engine it hands to <c>paralleldiff-engine</c> beside it, which
/// keeps Akka whole and costs ~40 ms more to start (loading its type data). The handoff is an
/// exec of the same command line, before anything has been written, so the engine does the whole
/// command. Builds without the setting (the JIT build the tests load, the engine itself) do all
/// the work in-process.
/// </summary>
public static unsafe partial class EngineHandoff
{
    /// <summary>The runtime setting (set at publish in the CLI's project) that names the engine's file.</summary>
    public const string Setting = "ParallelDiff.Cli.EngineExecutable";

    /// <summary>The engine's file name when this process is the front, else null.</summary>
    public static string? EngineFileName { get; } = AppContext.GetData(Setting) as string;

    /// <summary>True in the published front, which must not start Akka itself.</summary>
    public static bool IsFront => EngineFileName is not null;

    /// <summary>
    /// Replaces this process with the engine, run with this process's exact command-line bytes
    /// (names need not be UTF-8); returns only by throwing when the engine cannot be started.
    /// </summary>
    /// <param name="why">What needs the engine, for the error message.</param>
    [DoesNotReturn]
    public static void Exec(string why)
    {
        var engine = Path.Combine(AppContext.BaseDirectory, EngineFileName ?? throw new InvalidOperationException("not the front: the engine is this process"));
        var arguments = File.ReadAllBytes("/proc/self/cmdline").AsSpan().TrimEnd((byte)0);
        var argv0 = System.Text.Encoding.UTF8.GetBytes(engine + "\0");

        // argv: the engine's path, then this process's arguments (argv[1..]), each NUL-terminated.
        var first = arguments.IndexOf((byte)0);
        var rest = first < 0 ? [] : arguments[(first + 1)..];
        var count = rest.IsEmpty ? 0 : rest.Count((byte)0) + 1;
        var block = new byte[rest.Length + 1];
        rest.CopyTo(block);
        fixed (byte* path = argv0)
        fixed (byte* strings = block)
        {
            var argv = stackalloc byte*[count + 2];
            argv[0] = path;
            var at = 0;
            for (var i = 1; i <= count; i++)
            {
                argv[i] = strings + at;
                at += new ReadOnlySpan<byte>(strings + at, block.Length - at).IndexOf((byte)0) + 1;
            }

            argv[count + 1] = null;
            execv(path, argv);
        }

        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{engine}: cannot start the actor engine, which {why}: {Errno.Describe(errno)}; " +
            "paralleldiff-engine belongs beside paralleldiff (rebuild with ./run.sh, or copy both)");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execv(byte* path, byte** argv);
}
