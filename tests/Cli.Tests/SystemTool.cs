using System.Diagnostics;

namespace ParallelDiff.Cli.Tests;

/// <summary>Runs a system tool (mount, tar, skopeo, umoci, ctr) with an argument list, never through a shell.</summary>
public static class SystemTool
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public bool Succeeded => ExitCode == 0;
    }

    public static Result Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the tool and returns its stdout; a non-zero exit fails with the command and its stderr.</summary>
    public static string Check(string tool, params string[] args)
    {
        var result = Run(tool, args);
        return result.Succeeded
            ? result.StdOut
            : throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {result.ExitCode}: {result.StdErr.Trim()} {result.StdOut.Trim()}");
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
