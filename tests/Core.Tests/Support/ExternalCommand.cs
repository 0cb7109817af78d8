using System.Diagnostics;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>Runs a system tool (mount, umount, cp) with an argument list, never through a shell.</summary>
internal static class ExternalCommand
{
    public readonly record struct Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public bool Succeeded => ExitCode == 0;
    }

    public static Result Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");

        // Read both pipes concurrently so that a chatty tool cannot block on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static string Describe(string file, string[] arguments, Result result) =>
        $"{file} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardError.Trim()} {result.StandardOutput.Trim()}".TrimEnd();
}
