using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// 'paralleldiff export' as a batch job sees it: killed with SIGKILL half-way and rerun, it ends
/// with exactly the layout bytes of a clean run; a bad snapshot fails alone, with its cause, and
/// exit code 3; a rerun redoes only what changed.
/// </summary>
public sealed class BulkExportTests
{
    private static string[] Export(SnapshotFarm farm, string layout, params string[] extra) =>
        ["export", "--jobs", farm.JobsFile, "--oci-layout", layout, "--max-concurrent", "4", "--created", "none", .. extra];

    private static JsonDocument Report(string path) => JsonDocument.Parse(File.ReadAllText(path));

    private static int Count(JsonDocument report, string status) => report.RootElement.GetProperty(status).GetInt32();

    private const int KillAfter = 20;

    [Fact]
    public void Export_killed_half_way_and_rerun_should_end_with_the_bytes_of_a_clean_run()
    {
        using var farm = new SnapshotFarm(200);
        var killed = farm.At("killed");
        var clean = farm.At("clean");

        var done = 0;
        using (var process = CliRunner.Start(Export(farm, killed, "--progress", "json")))
        {
            // A "done" event is printed only after the snapshot's journal line is on disk. The kill
            // comes early: the pipe holds ~80 snapshots' events (~800 bytes each), so the export
            // may be that far ahead of this reader, and the native binary takes ~1 ms a snapshot.
            while (process.StandardError.ReadLine() is { } line)
            {
                if (line.Contains("\"event\":\"done\"", StringComparison.Ordinal) && ++done >= KillAfter)
                {
                    process.Kill();
                    break;
                }
            }

            process.WaitForExit();
        }

        var journaled = File.ReadAllLines(killed + ".journal.jsonl").Length;
        Assert.True(done >= KillAfter, $"the export ended after {done} snapshots without being killed");
        Assert.InRange(journaled, KillAfter, 199);

        var rerun = CliRunner.Run(Export(farm, killed, "--report", farm.At("rerun.json")));
        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        using (var report = Report(farm.At("rerun.json")))
        {
            Assert.Equal(journaled, Count(report, "resumed"));
            Assert.Equal(200 - journaled, Count(report, "done"));
            Assert.Equal(0, Count(report, "failed"));
        }

        var cleanRun = CliRunner.Run(Export(farm, clean, "--progress", "plain"));
        Assert.True(cleanRun.ExitCode == 0, cleanRun.StdErr);
        Assert.Equal(200, cleanRun.StdErr.Split('\n').Count(l => l.StartsWith('[')));

        LayoutBytes.AssertEqual(clean, killed);
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(clean, "index.json")));
        Assert.Equal(200, index.RootElement.GetProperty("manifests").GetArrayLength());
    }

    [Fact]
    public void A_bad_snapshot_should_fail_alone_with_its_cause_and_exit_code_3()
    {
        using var farm = new SnapshotFarm(10);
        var jobs = JsonSerializer.Deserialize<List<Dictionary<string, object>>>(File.ReadAllText(farm.JobsFile))!;
        jobs.Insert(4, new Dictionary<string, object> { ["id"] = "gone", ["upper"] = "no-such-upper" });
        farm.WriteJobs(jobs);
        var layout = farm.At("layout");

        var result = CliRunner.Run(Export(farm, layout, "--report", farm.At("report.json"), "--progress", "plain"));

        Assert.True(result.ExitCode == 3, result.StdErr);
        Assert.Contains("gone failed: ", result.StdErr, StringComparison.Ordinal);
        using var report = Report(farm.At("report.json"));
        var failed = Assert.Single(report.RootElement.GetProperty("snapshots").EnumerateArray(), s => s.GetProperty("status").GetString() == "failed");
        Assert.Equal("gone", failed.GetProperty("id").GetString());
        Assert.Contains(farm.At("no-such-upper"), failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("no such file", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, Count(report, "done"));

        // Every other snapshot is an image in the layout, and the index lists them by name.
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        var names = index.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()!).ToList();
        Assert.Equal(farm.Ids.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void Quiet_should_print_only_the_failures()
    {
        using var farm = new SnapshotFarm(3);
        farm.WriteJobs([new() { ["id"] = "ok", ["upper"] = "snap-000" }, new() { ["id"] = "bad", ["upper"] = "nope" }]);

        var result = CliRunner.Run(Export(farm, farm.At("layout"), "--quiet"));

        Assert.Equal(3, result.ExitCode);
        Assert.Empty(result.StdOut);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("paralleldiff export: bad failed: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rerun_should_skip_what_is_complete_and_redo_a_job_whose_settings_changed()
    {
        using var farm = new SnapshotFarm(6);
        var layout = farm.At("layout");
        Assert.Equal(0, CliRunner.Run(Export(farm, layout, "--quiet")).ExitCode);
        var before = LayoutBytes.Files(layout).ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(layout, f)));

        var unchanged = CliRunner.Run(Export(farm, layout, "--report", farm.At("same.json"), "--quiet"));
        Assert.Equal(0, unchanged.ExitCode);
        using (var report = Report(farm.At("same.json")))
        {
            Assert.Equal(6, Count(report, "resumed"));
        }

        Assert.All(LayoutBytes.Files(layout), f => Assert.Equal(before[f], File.ReadAllBytes(Path.Combine(layout, f))));

        var jobs = JsonSerializer.Deserialize<List<Dictionary<string, object>>>(File.ReadAllText(farm.JobsFile))!;
        jobs[2]["compression"] = "zstd";
        farm.WriteJobs(jobs);
        var changed = CliRunner.Run(Export(farm, layout, "--report", farm.At("changed.json"), "--quiet"));
        Assert.Equal(0, changed.ExitCode);
        using (var report = Report(farm.At("changed.json")))
        {
            Assert.Equal(5, Count(report, "resumed"));
            var redone = Assert.Single(report.RootElement.GetProperty("snapshots").EnumerateArray(), s => s.GetProperty("status").GetString() == "done");
            Assert.Equal(jobs[2]["id"].ToString(), redone.GetProperty("id").GetString());
            Assert.EndsWith("+zstd", redone.GetProperty("descriptor").GetProperty("mediaType").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""[{"id":"a","upper":"x"},{"id":"a","upper":"y"}]""", "both have the id \"a\"")]
    [InlineData("""[{"id":"a","uper":"x"}]""", "unknown key \"uper\"")]
    [InlineData("""[{"id":"a b","upper":"x"}]""", "valid ref name")]
    [InlineData("""[{"id":"a","upper":"x","mount-options":"lowerdir=/l,upperdir=/u"}]""", "are different inputs")]
    [InlineData("""[{"id":"a","mount-json":"-"}]""", "standard input")]
    [InlineData("""[{"id":"a","upper":"x","compression":"brotli"}]""", "unknown compression")]
    [InlineData("""{"id":"a"}""", "expected a JSON list of jobs")]
    public void A_malformed_job_file_should_be_refused_before_anything_runs(string jobs, string message)
    {
        using var farm = new SnapshotFarm(0);
        File.WriteAllText(farm.JobsFile, jobs);
        var layout = farm.At("layout");

        var result = CliRunner.Run(Export(farm, layout));

        Assert.True(result.ExitCode == 2, result.StdErr);
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(layout));
    }

    [Fact]
    public void Of_many_bad_jobs_the_first_in_the_file_should_be_the_one_reported()
    {
        // The error is the one a job-by-job reading meets first, whatever else is wrong further down.
        using var farm = new SnapshotFarm(0);
        var jobs = Enumerable.Range(0, 200).Select(i => i < 20
            ? $$"""{"id":"j{{i}}","upper":"x{{i}}"}"""
            : $$"""{"id":"j{{i}}","upper":"x{{i}}","compression":"codec{{i}}"}""");
        File.WriteAllText(farm.JobsFile, "[" + string.Join(',', jobs) + "]");

        var result = CliRunner.Run(Export(farm, farm.At("layout")));

        Assert.True(result.ExitCode == 2, result.StdErr);
        Assert.Contains("job \"j20\"", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("codec20", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("codec21", result.StdErr, StringComparison.Ordinal);
    }
}
