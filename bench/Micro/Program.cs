using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ParallelDiff.Micro.Benchmarks;

/// <summary>
/// Runs the micro-benchmarks with a short job (3 warm-ups, 3 iterations, one launch) in process,
/// so the repository's analyzers need not accept BenchmarkDotNet's generated project. Any
/// BenchmarkDotNet option works after "--", e.g. --filter '*Compress*'. Reports go to
/// .bench-cache/micro (git-ignored) unless --artifacts says otherwise.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(RepositoryRoot(), ".bench-cache", "micro"));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }

    /// <summary>The folder holding ParallelDiff.sln above the binary, else the current directory.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParallelDiff.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
