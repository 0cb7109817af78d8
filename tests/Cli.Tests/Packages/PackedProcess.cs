using System.Diagnostics;

namespace ParallelDiff.Cli.Tests.Packages;

/// <summary>
/// Runs dotnet or run.sh as a person would from a shell of their own: in a given folder, with a
/// time limit, and without the MSBuild variables `dotnet test` set for this process (they would
/// point the child's build at this build's SDK state).
/// </summary>
internal static class PackedProcess
{
    public static SystemTool.Result Run(string tool, string workingDirectory, Dictionary<string, string?> environment, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} still running after {timeout}: {stderr.Result}");
        }

        return new SystemTool.Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
