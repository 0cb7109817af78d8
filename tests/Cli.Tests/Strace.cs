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
            return (new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result), WholeCalls(File.ReadAllLines(trace)));
        }
        finally
        {
            File.Delete(trace);
        }
    }

    /// <summary>
    /// Each call on one line: when another thread's call comes between, strace -f writes a call as
    /// "PID name(args <unfinished ...>" and later "PID <... name resumed>rest"; the two are joined
    /// where the second stands, so that a call's arguments and its result are read together (a
    /// write split so had its byte count on a line without its descriptor).
    /// </summary>
    internal static string[] WholeCalls(IEnumerable<string> lines)
    {
        const string Unfinished = " <unfinished ...>";
        var started = new Dictionary<string, string>(StringComparer.Ordinal);
        var calls = new List<string>();
        foreach (var line in lines)
        {
            var pid = line.Split(' ', 2)[0];
            if (line.EndsWith(Unfinished, StringComparison.Ordinal))
            {
                started[pid] = line[..^Unfinished.Length];
                continue;
            }

            var resumed = line.IndexOf(" resumed>", StringComparison.Ordinal);
            if (line.Contains(" <... ", StringComparison.Ordinal) && resumed >= 0 && started.Remove(pid, out var start))
            {
                calls.Add(start + line[(resumed + " resumed>".Length)..]);
                continue;
            }

            calls.Add(line);
        }

        // A call still unfinished when the trace ended (the process exited inside it) stays as it was.
        calls.AddRange(started.Values.Select(s => s + Unfinished));
        return [.. calls];
    }

    /// <summary>The file names of the programs a traced run exec'd successfully, in order.</summary>
    public static List<string> ExecutedPrograms(IEnumerable<string> calls) =>
        calls
            .Where(l => l.Contains("execve(\"", StringComparison.Ordinal) && l.EndsWith("= 0", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("execve(\"", StringComparison.Ordinal) + 8)..])
            .Select(l => Path.GetFileName(l[..l.IndexOf('"', StringComparison.Ordinal)]))
            .ToList();
}
