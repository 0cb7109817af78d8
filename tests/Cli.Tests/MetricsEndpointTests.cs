using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// 'paralleldiff export --metrics': the process doing the export (the engine, in the published
/// build) answers GET /metrics in Prometheus's text format while the export runs, with the layer
/// counters moving and agreeing with what the export reports; a bad address or a port in use stops
/// the command before anything is written.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const int Snapshots = 300;
    private const int Resumed = 5;

    [Fact]
    public async Task Export_with_metrics_should_serve_the_counters_while_it_runs()
    {
        using var farm = new SnapshotFarm(Snapshots);
        var all = JsonSerializer.Deserialize<List<Dictionary<string, object>>>(File.ReadAllText(farm.JobsFile))!;
        var layout = farm.At("layout");

        // A first run exports a few: the second finds them in its journal (cache hits, kind "resume").
        farm.WriteJobs(all.Take(Resumed));
        var first = CliRunner.Run("export", "--jobs", farm.JobsFile, "--oci-layout", layout, "--quiet");
        Assert.True(first.ExitCode == 0, first.StdErr);

        // The bad job first: one layer at a time, so it has failed before any other is done.
        farm.WriteJobs([new() { ["id"] = "gone", ["upper"] = "no-such-upper" }, .. all]);
        using var process = CliRunner.Start("export", "--jobs", farm.JobsFile, "--oci-layout", layout, "--max-concurrent", "1",
            "--metrics", "127.0.0.1:0", "--progress", "plain", "--report", farm.At("report.json"));
        var stderr = new ConcurrentQueue<string>();
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(() =>
        {
            while (process.StandardError.ReadLine() is { } line)
            {
                stderr.Enqueue(line);
                if (line.StartsWith("paralleldiff export: metrics at ", StringComparison.Ordinal))
                {
                    announced.TrySetResult(line["paralleldiff export: metrics at ".Length..]);
                }
            }

            announced.TrySetException(new InvalidOperationException("the export never said where its metrics are:\n" + string.Join('\n', stderr)));
        });
        var stdout = process.StandardOutput.ReadToEndAsync();
        var url = await announced.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

        // Scrape as fast as answers come until the process is gone (the endpoint closes with it).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var scrapes = new List<IReadOnlyDictionary<string, double>>();
        while (!process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(url));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
                scrapes.Add(Parse(await response.Content.ReadAsStringAsync()));
            }
            catch (HttpRequestException) when (process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                // The export ended between the check and the request: its endpoint closes first.
            }
        }

        await process.WaitForExitAsync();
        await reading;
        _ = await stdout;
        Assert.True(process.ExitCode == 3, string.Join('\n', stderr));
        using var report = JsonDocument.Parse(File.ReadAllText(farm.At("report.json")));
        Assert.Equal(Snapshots - Resumed, report.RootElement.GetProperty("done").GetInt32());
        Assert.Equal(Resumed, report.RootElement.GetProperty("resumed").GetInt32());

        // Answers came while layers were being written, not only before or after.
        Assert.True(
            scrapes.Any(s => Sum(s, "paralleldiff_layers_done_total") is > 0 and < Snapshots - Resumed),
            $"{scrapes.Count} answers, layers done in them: {string.Join(' ', scrapes.Select(s => Sum(s, "paralleldiff_layers_done_total")).Distinct())}");
        foreach (var s in scrapes)
        {
            var started = Sum(s, "paralleldiff_layers_started_total");
            var done = Sum(s, "paralleldiff_layers_done_total");
            var failed = Sum(s, "paralleldiff_layers_failed_total");
            Assert.InRange(done, 0, Snapshots - Resumed);
            Assert.InRange(started - done - failed, 0, 1);

            // An answer is one moment: one layer at a time, whose duration (and for a layer done,
            // its ratio) is recorded just before it is counted, so the histograms are at most one
            // ahead. (Failures are a series of their own, labelled with error_type.)
            var durations = Sum(s, "paralleldiff_layer_duration_seconds_count");
            Assert.InRange(durations, done + failed, done + failed + 1);
            Assert.Equal(durations, s.Where(p => p.Key.StartsWith("paralleldiff_layer_duration_seconds_bucket{", StringComparison.Ordinal) && p.Key.EndsWith("le=\"+Inf\"}", StringComparison.Ordinal)).Sum(p => p.Value));
            Assert.True(s.ContainsKey("paralleldiff_read_ahead_usage_bytes"));
            Assert.True(s.ContainsKey("paralleldiff_read_ahead_limit_bytes"));
            if (started > 0)
            {
                Assert.Equal(Resumed, s["paralleldiff_cache_hits_total{paralleldiff_cache=\"resume\"}"]);
            }

            if (done > 0)
            {
                Assert.Equal(1, s["paralleldiff_layers_failed_total{error_type=\"ParallelDiff.Core.Snapshots.SnapshotException\"}"]);
                Assert.True(Sum(s, "paralleldiff_blob_written_bytes_total") > done * 1000, "every farm snapshot's blob is kilobytes");
                Assert.True(Sum(s, "paralleldiff_data_read_bytes_total") > done * 8000);
                Assert.InRange(Sum(s, "paralleldiff_layer_compression_ratio_count"), done, done + 1);
            }
        }

        // The counters only grow from one answer to the next.
        foreach (var (before, after) in scrapes.Zip(scrapes.Skip(1)))
        {
            foreach (var name in new[] { "paralleldiff_layers_started_total", "paralleldiff_layers_done_total", "paralleldiff_blob_written_bytes_total" })
            {
                Assert.True(Sum(after, name) >= Sum(before, name), $"{name} went down");
            }
        }
    }

    [Fact]
    public void Metrics_on_a_port_in_use_should_fail_before_anything_is_written()
    {
        using var farm = new SnapshotFarm(1);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = CliRunner.Run("export", "--jobs", farm.JobsFile, "--oci-layout", farm.At("layout"), "--metrics", port.ToString(CultureInfo.InvariantCulture));

        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains($"--metrics 127.0.0.1:{port}: cannot listen: ", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(farm.At("layout")));
    }

    [Theory]
    [InlineData("70000", "'70000' is not a port")]
    [InlineData("example.org:9400", "'example.org' is not an IP address")]
    [InlineData("::1:9400", "in brackets")]
    public void Metrics_with_a_bad_address_should_be_a_usage_error(string address, string message)
    {
        using var farm = new SnapshotFarm(1);

        var result = CliRunner.Run("export", "--jobs", farm.JobsFile, "--oci-layout", farm.At("layout"), "--metrics", address);

        Assert.True(result.ExitCode == 2, result.StdErr);
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>Each sample line of a text exposition: "name{labels}" (as written) to its value.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            var space = line.LastIndexOf(' ');
            samples.Add(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }

        return samples;
    }

    /// <summary>A metric's value summed over its label sets.</summary>
    private static double Sum(IReadOnlyDictionary<string, double> samples, string name) =>
        samples.Where(s => s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)).Sum(s => s.Value);
}
