using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Cli;

/// <summary>
/// The published CLI is two native executables built from this code. <c>paralleldiff</c>, the
/// front, is compiled without the actor engine (its code sits behind <see cref="IsFront"/>, a
/// feature switch), so it starts in ~8 ms, and writes small uppers itself; whatever needs the
/// engine it hands to <c>paralleldiff-engine</c> beside it, which keeps Akka whole and costs a few
/// ms more to start (its type data is five times larger; ~40 ms more before that data was kept
/// undehydrated, in src/NativeExecutable.props). The handoff is an exec of the same command
/// line, before anything has been written, so the engine does the whole command. For export, image
/// and node the front's native main (Native/front_main.c) execs the engine before .NET starts at all
/// (~3 ms instead of ~9); this class is the way there when it could not, and for what is decided
/// later (a diff too big for the front), and says why an exec failed. Builds without the switch
/// (the JIT build the tests load, the engine itself) do all the work in-process.
/// </summary>
public static unsafe partial class EngineHandoff
{
    /// <summary>
    /// The feature switch, set (with Trim) only when the CLI's project is published, that makes this
    /// process the front. Being a feature switch, it is a constant to the native compiler, which then
    /// leaves out the code behind every "not the front" branch: Akka's engine, image, export.
    /// </summary>
    public const string FrontSwitch = "ParallelDiff.Cli.IsFront";

    /// <summary>The engine's file, beside the front.</summary>
    public const string EngineFileName = "paralleldiff-engine";

    /// <summary>True in the published front, which must not start Akka itself.</summary>
    [FeatureSwitchDefinition(FrontSwitch)]
    public static bool IsFront => AppContext.TryGetSwitch(FrontSwitch, out var front) && front;

    /// <summary>
    /// Replaces this process with the engine, run with this process's exact command-line bytes
    /// (names need not be UTF-8). Returns only when the engine cannot be started, with the error to
    /// throw: <c>throw EngineHandoff.Exec(...)</c>, so that nothing after it is reachable code.
    /// </summary>
    /// <param name="why">What needs the engine, for the error message.</param>
    public static IOException Exec(string why)
    {
        var engine = Path.Combine(AppContext.BaseDirectory, EngineFileName);
        if (Path.GetFileName(Environment.ProcessPath) == EngineFileName)
        {
            // An engine built with the front's switch would exec itself for ever.
            return new IOException($"{engine}: this build of the engine hands its work on as the front does, which {why}; rebuild with ./run.sh");
        }

        var path = System.Text.Encoding.UTF8.GetBytes(engine + "\0");
        var arguments = Arguments(RawArguments.ReadCmdline() ?? throw new IOException("/proc/self/cmdline: cannot be read, so the command cannot be handed to the engine as given"));

        // argv: the engine's path, then this process's arguments, each NUL-terminated, then NULL.
        var handles = arguments.Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToList();
        try
        {
            fixed (byte* pathBytes = path)
            {
                var argv = stackalloc byte*[arguments.Count + 2];
                argv[0] = pathBytes;
                for (var i = 0; i < arguments.Count; i++)
                {
                    argv[i + 1] = (byte*)handles[i].AddrOfPinnedObject();
                }

                argv[arguments.Count + 1] = null;
                execv(pathBytes, argv);
            }
        }
        finally
        {
            handles.ForEach(h => h.Free());
        }

        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{engine}: cannot start the actor engine, which {why}: {Errno.Describe(errno)}; " +
            "paralleldiff-engine belongs beside paralleldiff (rebuild with ./run.sh, or copy both)");
    }

    /// <summary>
    /// The arguments after argv[0] in /proc/PID/cmdline's form (every argument NUL-terminated),
    /// each with its NUL: bytes as given, empty arguments kept.
    /// </summary>
    public static IReadOnlyList<byte[]> Arguments(ReadOnlySpan<byte> cmdline)
    {
        var arguments = new List<byte[]>();
        var end = cmdline.IndexOf((byte)0);
        if (end < 0)
        {
            return arguments;
        }

        for (var rest = cmdline[(end + 1)..]; !rest.IsEmpty; rest = rest[(end + 1)..])
        {
            end = rest.IndexOf((byte)0);
            if (end < 0)
            {
                throw new InvalidDataException("/proc/self/cmdline: the last argument is not NUL-terminated");
            }

            arguments.Add(rest[..(end + 1)].ToArray());
        }

        return arguments;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execv(byte* path, byte** argv);
}
