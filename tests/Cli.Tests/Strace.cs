using System.Diagnostics;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Runs a program under strace (following forks and execs), returning its result and the trace
/// lines of the system calls asked for: what the process did, not what it printed.
/// </summary>
internal static class Strace
{
    public static (CliRunner.Result Result, string[] Calls) Run(string syscalls, string binary, params string[] args) => Run(syscalls, false, binary, args);

    /// <param name="withPaths">Show each descriptor argument's path (strace -y).</param>
    public static (CliRunner.Result Result, string[] Calls) Run(string syscalls, bool withPaths, string binary, params string[] args)
    {
        var trace = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo("strace") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-f", "-qq", "-e", "trace=" + syscalls, "-e", "signal=none", "-o", trace }.Concat(withPaths ? ["-y"] : []).Append(binary).Concat(args))
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result), File.ReadAllLines(trace));
        }
        finally
        {
            File.Delete(trace);
        }
    }

    /// <summary>The file names of the programs a traced run exec'd successfully, in order.</summary>
    public static List<string> ExecutedPrograms(IEnumerable<string> calls) =>
        calls
            .Where(l => l.Contains("execve(\"", StringComparison.Ordinal) && l.EndsWith("= 0", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("execve(\"", StringComparison.Ordinal) + 8)..])
            .Select(l => Path.GetFileName(l[..l.IndexOf('"', StringComparison.Ordinal)]))
            .ToList();
}
