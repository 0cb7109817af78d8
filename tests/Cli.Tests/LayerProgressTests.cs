using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Progress inside a layer: --progress json's progress events, the live line of diff on a
/// pseudo-terminal, and the layer's bytes, which no view may change.
/// </summary>
public sealed class LayerProgressTests : IDisposable
{
    /// <summary>A few hundred MB: long enough to be sampled many times even at 20 ms, on the parallel pipeline.</summary>
    private const int BigFileBytes = 192 * 1024 * 1024;

    private readonly SampleTree _tree = new();
    private readonly string _fastSampling;

    public LayerProgressTests()
    {
        WriteBigFile(Path.Combine(_tree.Upper, "weights.bin"), BigFileBytes);
        _fastSampling = _tree.WriteConfig("paralleldiff.progress.interval-ms = 20\n");
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Diff_with_progress_json_should_send_increasing_progress_that_ends_at_the_layer_totals()
    {
        var blob = Path.Combine(_tree.Output, "layer.tar.zst");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", blob, "--compression", "zstd",
            "--progress", "json", "--config", _fastSampling);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var events = Events(result.StdErr);
        Assert.Equal(["begin", "start"], events.Take(2).Select(e => e.GetProperty("event").GetString()));
        var progress = events.Where(e => e.GetProperty("event").GetString() == "progress").ToList();
        Assert.True(progress.Count >= 3, $"{progress.Count} progress events:\n{result.StdErr}");
        AssertNonDecreasing(progress, "bytesIn");
        AssertNonDecreasing(progress, "bytesOut");
        AssertNonDecreasing(progress, "totalIn");
        Assert.Contains(progress, p => p.GetProperty("bytesIn").GetInt64() is > 0 and < BigFileBytes);

        // The last progress event is the last word before "done", and says what the report says.
        var done = events.Single(e => e.GetProperty("event").GetString() == "done");
        Assert.Equal(events.IndexOf(progress[^1]) + 1, events.IndexOf(done));
        var snapshot = done.GetProperty("snapshot");
        var last = progress[^1];
        Assert.Equal(snapshot.GetProperty("bytesIn").GetInt64(), last.GetProperty("bytesIn").GetInt64());
        Assert.Equal(snapshot.GetProperty("bytesOut").GetInt64(), last.GetProperty("bytesOut").GetInt64());
        Assert.Equal(new FileInfo(blob).Length, last.GetProperty("bytesOut").GetInt64());
        Assert.Equal(last.GetProperty("bytesIn").GetInt64(), last.GetProperty("totalIn").GetInt64());
        Assert.True(last.GetProperty("totalKnown").GetBoolean());
        Assert.Equal("end", events[^1].GetProperty("event").GetString());
        Assert.True(last.GetProperty("bytesIn").GetInt64() > BigFileBytes);
    }

    [Fact]
    public void Diff_of_a_small_upper_with_progress_json_should_end_at_its_totals_too()
    {
        // The sequential path (no actors): the sample tree alone is below the actor thresholds.
        using var small = new SampleTree();
        var blob = Path.Combine(small.Output, "layer.tgz");
        var result = CliRunner.Run("diff", "--upper", small.Upper, "--lower", small.Lower, "-o", blob, "--progress", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);

        var events = Events(result.StdErr);
        var last = events.Last(e => e.GetProperty("event").GetString() == "progress");
        var snapshot = events.Single(e => e.GetProperty("event").GetString() == "done").GetProperty("snapshot");
        Assert.Equal(snapshot.GetProperty("bytesIn").GetInt64(), last.GetProperty("bytesIn").GetInt64());
        Assert.Equal(new FileInfo(blob).Length, last.GetProperty("bytesOut").GetInt64());
        Assert.True(last.GetProperty("bytesIn").GetInt64() > 3 * 1024 * 1024);
    }

    [Fact]
    public void Diff_should_write_the_same_layer_with_and_without_progress()
    {
        var descriptors = new List<string>();
        var blobs = new List<byte[]>();
        foreach (var view in new[] { new[] { "--progress", "json", "--config", _fastSampling }, ["--quiet"], [] })
        {
            var blob = Path.Combine(_tree.Output, $"layer-{descriptors.Count}.tar.gz");
            var result = CliRunner.Run(["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", blob, .. view]);
            Assert.True(result.ExitCode == 0, result.StdErr);
            descriptors.Add(result.StdOut);
            blobs.Add(File.ReadAllBytes(blob));
        }

        Assert.All(descriptors, d => Assert.Equal(descriptors[0], d));
        Assert.All(blobs, b => Assert.Equal(blobs[0], b));
    }

    [Fact]
    public void Diff_should_say_nothing_on_stderr_when_it_is_not_a_terminal()
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", Path.Combine(_tree.Output, "l.tgz"), "--config", _fastSampling);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(string.Empty, result.StdErr);
    }

    [Fact]
    public void Diff_on_a_terminal_should_draw_a_live_line_and_clear_it()
    {
        var blob = Path.Combine(_tree.Output, "layer.tgz");
        var typescript = RunOnTerminal(["diff", "--upper", _tree.Upper, "-o", blob, "--config", _fastSampling]);

        // Drawn (bytes of the file data, rate, ETA), redrawn in place, and erased at the end:
        // the last thing on the terminal is the erase, so no line is left behind.
        Assert.Matches(@"upper  \d+(\.\d)? [kMG]?B / \d+(\.\d)? [kMG]?B  \d+\.\d MB/s  out .* ETA \d+:\d\d", typescript);
        Assert.Contains("\u001b[1F\u001b[J", typescript, StringComparison.Ordinal);
        Assert.EndsWith("\u001b[1F\u001b[J", typescript.TrimEnd('\r', '\n'), StringComparison.Ordinal);
        Assert.True(File.Exists(blob));
    }

    [Fact]
    public void Diff_on_a_terminal_with_quiet_should_draw_nothing()
    {
        var typescript = RunOnTerminal(["diff", "--upper", _tree.Upper, "-o", Path.Combine(_tree.Output, "q.tgz"), "--quiet", "--config", _fastSampling]);
        Assert.DoesNotContain("MB/s", typescript, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[J", typescript, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_with_progress_json_should_send_progress_for_each_running_layer()
    {
        using var second = new SampleTree();
        WriteBigFile(Path.Combine(second.Upper, "data.bin"), 64 * 1024 * 1024);
        var jobs = Path.Combine(_tree.Root, "jobs.json");
        File.WriteAllText(jobs, JsonSerializer.Serialize(new[]
        {
            new Dictionary<string, string> { ["id"] = "big", ["upper"] = _tree.Upper, ["lower"] = _tree.Lower },
            new Dictionary<string, string> { ["id"] = "other", ["upper"] = second.Upper },
        }));
        var result = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", Path.Combine(_tree.Output, "layout"), "--progress", "json", "--config", _fastSampling);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var events = Events(result.StdErr);
        foreach (var id in new[] { "big", "other" })
        {
            var progress = events.Where(e => e.GetProperty("event").GetString() == "progress" && e.GetProperty("id").GetString() == id).ToList();
            Assert.NotEmpty(progress);
            AssertNonDecreasing(progress, "bytesIn");
            var done = events.Single(e => e.GetProperty("event").GetString() == "done" && e.GetProperty("snapshot").GetProperty("id").GetString() == id);
            Assert.Equal(done.GetProperty("snapshot").GetProperty("bytesOut").GetInt64(), progress[^1].GetProperty("bytesOut").GetInt64());
            Assert.True(events.IndexOf(progress[^1]) < events.IndexOf(done));
        }

        Assert.True(events.Count(e => e.GetProperty("event").GetString() == "progress" && e.GetProperty("id").GetString() == "big") >= 3);
    }

    [Fact]
    public void Export_on_a_terminal_should_show_each_running_layer_with_its_bytes_rate_and_eta()
    {
        var jobs = Path.Combine(_tree.Root, "jobs-tty.json");
        File.WriteAllText(jobs, JsonSerializer.Serialize(new[] { new Dictionary<string, string> { ["id"] = "weights", ["upper"] = _tree.Upper } }));
        var typescript = RunOnTerminal(["export", "--jobs", jobs, "--oci-layout", Path.Combine(_tree.Output, "tty-layout"), "--config", _fastSampling]);

        // A row of the running table while the layer runs: read, of (its total), MB/s, written, ETA.
        Assert.Matches(@"weights +\d+(\.\d)? [kMG]?B +\d+(\.\d)? [kMG]?B +\d+\.\d +\d+(\.\d)? [kMG]?B +\d+:\d\d", typescript);
        Assert.Matches(@"in +[1-9]\d*\.\d MB/s", typescript);
    }

    /// <summary>Runs the CLI under script(1), which gives it a pseudo-terminal, and returns what it wrote there.</summary>
    private string RunOnTerminal(string[] args)
    {
        var typescript = Path.Combine(_tree.Root, $"typescript-{Guid.NewGuid():N}");
        var command = string.Join(' ', CliRunner.CommandLineOf(args).Select(Quote)) + " >" + Quote(Path.Combine(_tree.Root, "stdout"));
        var psi = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-qfec", command, typescript })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TERM"] = "xterm";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "script did not end");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr.Result}{stdout.Result}");
        var text = File.ReadAllText(typescript);
        // script(1) frames the session with a header line ("Script started on …") and a trailer
        // ("Script done on …") even with -q when it is not on a terminal itself; the program's
        // output is what lies between.
        var start = text.IndexOf('\n', StringComparison.Ordinal) + 1;
        var end = text.LastIndexOf("\nScript done", StringComparison.Ordinal);
        return text[start..(end >= start ? end : text.Length)];
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static List<JsonElement> Events(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static void AssertNonDecreasing(List<JsonElement> events, string field)
    {
        var values = events.Select(e => e.GetProperty(field).GetInt64()).ToList();
        for (var i = 1; i < values.Count; i++)
        {
            Assert.True(values[i] >= values[i - 1], $"{field} went from {values[i - 1]} back to {values[i]}");
        }
    }

    /// <summary>Data that compresses a little, as real files do: random bytes with runs.</summary>
    private static void WriteBigFile(string path, int bytes)
    {
        var rng = new Random(11);
        var chunk = new byte[1024 * 1024];
        using var file = File.Create(path);
        for (var written = 0; written < bytes; written += chunk.Length)
        {
            rng.NextBytes(chunk);
            chunk.AsSpan(0, chunk.Length / 4).Fill((byte)'x');
            file.Write(chunk, 0, Math.Min(chunk.Length, bytes - written));
        }
    }
}
