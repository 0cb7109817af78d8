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
    public static string[] Recover(string[] args) => Recover(args, ReadCmdline());

    /// <param name="args">What .NET decoded.</param>
    /// <param name="cmdline">/proc/self/cmdline: the host's own arguments (dotnet, the dll) first, ours last.</param>
    public static string[] Recover(string[] args, byte[]? cmdline)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (cmdline is null || args.All(a => !a.Contains('\uFFFD', StringComparison.Ordinal)))
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

    private static byte[]? ReadCmdline()
    {
        try
        {
            return File.ReadAllBytes("/proc/self/cmdline");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
