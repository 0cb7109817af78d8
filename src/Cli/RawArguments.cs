using ParallelDiff.Core.Fs;

namespace ParallelDiff.Cli;

/// <summary>
/// The arguments as the kernel holds them. .NET decodes argv as UTF-8 with replacement, so a path
/// with other bytes arrives as a different name (ENOENT, or a file written under a name nobody
/// gave). /proc/self/cmdline has the bytes; an argument that is not UTF-8 is taken from there,
/// escaped (<see cref="EscapedBytes"/>) so the options parser still works on strings.
/// </summary>
internal static class RawArguments
{
    /// <summary>
    /// <paramref name="args"/>, with any argument .NET could not decode taken from /proc/self/cmdline;
    /// the file is read only then (every command paid for reading it, twice over when the front
    /// hands its command to the engine).
    /// </summary>
    public static string[] Recover(string[] args) =>
        Array.Exists(args, NotDecoded) ? Recover(args, ReadCmdline()) : args;

    /// <param name="args">What .NET decoded.</param>
    /// <param name="cmdline">/proc/self/cmdline: the host's own arguments (dotnet, the dll) first, ours last.</param>
    public static string[] Recover(string[] args, byte[]? cmdline)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (cmdline is null || !Array.Exists(args, NotDecoded))
        {
            return args;
        }

        var all = EngineHandoff.Arguments(cmdline);
        if (all.Count < args.Length)
        {
            return args;
        }

        // Each entry ends with its NUL; ours are the last args.Length of them.
        return all.Skip(all.Count - args.Length).Select(a => EscapedBytes.Decode(a.AsSpan(0, a.Length - 1))).ToArray();
    }

    /// <summary>Whether .NET replaced bytes of an argument that are not UTF-8 (with U+FFFD).</summary>
    private static bool NotDecoded(string arg) => arg.Contains('\uFFFD', StringComparison.Ordinal);

    /// <summary>
    /// /proc/self/cmdline's bytes, or null when it cannot be read. Read through a plain descriptor:
    /// File.ReadAllBytes set up .NET's file streams first, most of a millisecond of the front's start.
    /// </summary>
    public static byte[]? ReadCmdline()
    {
        const string path = "/proc/self/cmdline";
        using var file = Core.Fs.PlainRead.TryOpen(path, out _);
        try
        {
            return file is null ? null : Core.Fs.PlainRead.ReadAll(file, path, 4096);
        }
        catch (Core.Fs.FsException)
        {
            return null;
        }
    }
}
