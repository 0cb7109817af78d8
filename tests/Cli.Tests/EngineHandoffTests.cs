using System.Diagnostics;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The published paralleldiff writes small uppers itself and execs paralleldiff-engine, beside it,
/// for what needs Akka: the engine then runs the whole command, and without it the front says so.
/// </summary>
public sealed class EngineHandoffTests : IDisposable
{
    private const string Actors = ActorPathTests.Actors;

    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    /// <summary>Runs <paramref name="binary"/> under strace, returning its result and every program it exec'd.</summary>
    private static (CliRunner.Result Result, List<string> Programs) Traced(string binary, params string[] args)
    {
        var (result, calls) = Strace.Run("execve", binary, args);
        return (result, Strace.ExecutedPrograms(calls));
    }

    private string[] Diff(string output, params string[] extra) =>
        ["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", Path.Combine(_tree.Output, output), .. extra];

    [PublishedBinaryFact]
    public void A_small_upper_should_be_written_by_the_front_alone()
    {
        var (result, programs) = Traced(CliRunner.PublishedBinary!, Diff("small"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(["paralleldiff"], programs);
    }

    [PublishedBinaryFact]
    public void Work_for_the_actor_engine_should_run_in_the_engine_with_the_same_arguments()
    {
        var (result, programs) = Traced(CliRunner.PublishedBinary!, Diff("big", "--config", _tree.WriteConfig(Actors)));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(["paralleldiff", "paralleldiff-engine"], programs);
        Assert.Equal(CliRunner.Run(Diff("small")).StdOut, result.StdOut);
    }

    [PublishedBinaryFact]
    public void An_export_should_reach_the_engine_before_the_front_starts_dotnet()
    {
        // The front's own main execs the engine for export, image and node; .NET's start makes
        // threads (clone3), so none before the engine's exec means the runtime never started there.
        var jobs = Path.Combine(_tree.Root, "jobs.json");
        File.WriteAllText(jobs, $$"""[{"id": "a", "upper": "{{_tree.Upper}}", "lower": "{{_tree.Lower}}"}]""");
        var (result, calls) = Strace.Run("execve,clone,clone3", CliRunner.PublishedBinary!, "export", "--jobs", jobs, "--oci-layout", Path.Combine(_tree.Output, "layout"), "--quiet");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(["paralleldiff", "paralleldiff-engine"], Strace.ExecutedPrograms(calls));
        var engine = Array.FindIndex(calls, c => c.Contains("paralleldiff-engine\"", StringComparison.Ordinal) && c.Contains("execve(", StringComparison.Ordinal));
        Assert.DoesNotContain(calls.Take(engine), c => c.Contains("clone", StringComparison.Ordinal));
        Assert.Contains(calls.Skip(engine), c => c.Contains("clone", StringComparison.Ordinal));

        // Help for those commands is still the front's own, with no engine.
        var (help, helpCalls) = Strace.Run("execve", CliRunner.PublishedBinary!, "export", "--jobs", jobs, "-h");
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("usage: paralleldiff export", help.StdOut, StringComparison.Ordinal);
        Assert.Equal(["paralleldiff"], Strace.ExecutedPrograms(helpCalls));
    }

    [PublishedBinaryFact]
    public void Without_the_engine_beside_it_the_front_should_say_what_is_missing_and_write_nothing()
    {
        var alone = Path.Combine(_tree.Root, "front-alone");
        Directory.CreateDirectory(Path.Combine(alone, "hocon"));
        var published = Path.GetDirectoryName(CliRunner.PublishedBinary)!;
        File.Copy(CliRunner.PublishedBinary!, Path.Combine(alone, "paralleldiff"));
        foreach (var conf in Directory.GetFiles(Path.Combine(published, "hocon")))
        {
            File.Copy(conf, Path.Combine(alone, "hocon", Path.GetFileName(conf)));
        }

        var front = Path.Combine(alone, "paralleldiff");
        var small = Traced(front, Diff("small")).Result;
        var big = Traced(front, Diff("big", "--config", _tree.WriteConfig(Actors))).Result;

        Assert.True(small.ExitCode == 0, small.StdErr);
        Assert.Equal(1, big.ExitCode);
        Assert.Contains("paralleldiff-engine", big.StdErr, StringComparison.Ordinal);
        Assert.Contains("ENOENT", big.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_tree.Output, "big")));
        Assert.Empty(Directory.GetFiles(_tree.Output, ".*"));
    }

    [PublishedBinaryFact]
    public void Ctrl_C_should_reach_the_engine_and_leave_no_output()
    {
        // 96 MiB for gzip -9 on one worker: seconds of work, so the signal lands mid-layer.
        var data = new byte[96 * 1024 * 1024];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(Path.Combine(_tree.Upper, "big.bin"), data);
        var output = Path.Combine(_tree.Output, "interrupted");

        using var process = CliRunner.Start(Diff("interrupted", "--config", _tree.WriteConfig(Actors), "--compression", "gzip", "--level", "9", "--parallelism", "1"));
        var comm = $"/proc/{process.Id}/comm";
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && File.ReadAllText(comm).Trim() != "paralleldiff-en" && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(10);
        }

        Thread.Sleep(300);
        Assert.False(process.HasExited, "the layer was written before the signal: make it bigger");
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_tree.Output, ".*"));
    }
}
