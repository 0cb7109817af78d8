using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace ParallelDiff.Hosting.Tests.Support;

/// <summary>The built samples/ExportWorker, run as a process the way a scheduler would run it.</summary>
public static class ExportWorkerProcess
{
    public static string DllPath { get; } = typeof(ExportWorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ExportWorkerDll").Value!;

    public sealed record Outcome(int ExitCode, string Output);

    public static async Task<Outcome> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(DllPath), $"{DllPath} is not built");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The worker reads ParallelDiff__* and DOTNET_* from its environment; the test's own must not leak in.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ParallelDiff", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ExportWorker did not exit within 2 minutes:\n{await output}\n{await error}");
        }

        return new Outcome(process.ExitCode, await output + await error);
    }
}
