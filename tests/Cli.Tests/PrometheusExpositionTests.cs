using System.Diagnostics.Metrics;
using ParallelDiff.Cli.Metrics;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The text --metrics serves, line by line, for instruments of each kind. The exposition listens to
/// every meter named "ParallelDiff", so these tests make their own, with instrument names no other
/// test uses: exports running beside them cannot move what they check.
/// </summary>
public sealed class PrometheusExpositionTests
{
    private readonly string _id = "paralleldiff.test" + Guid.NewGuid().ToString("N");

    [Fact]
    public void A_counter_should_be_written_with_its_unit_total_and_sorted_escaped_labels()
    {
        using var meter = new Meter("ParallelDiff");
        using var exposition = new PrometheusExposition();
        var counter = meter.CreateCounter<long>(_id + ".data.read", "By", "Bytes read.\nBy the test.");
        counter.Add(5);
        counter.Add(7);
        counter.Add(2, new("b.kind", "x\"y\\z\n"), new("a", 3));
        var things = meter.CreateCounter<double>(_id + ".things", "{thing}", "Things.");

        var text = exposition.Scrape();

        var name = Prometheus(_id) + "_data_read_bytes_total";
        Assert.Contains($"# HELP {name} Bytes read.\\nBy the test.\n# TYPE {name} counter\n{name} 12\n{name}{{a=\"3\",b_kind=\"x\\\"y\\\\z\\n\"}} 2\n", text, StringComparison.Ordinal);

        // Made and never added to: there from the first scrape, at 0.
        Assert.Contains($"# TYPE {Prometheus(_id)}_things_total counter\n{Prometheus(_id)}_things_total 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_histogram_should_count_into_its_advised_buckets_cumulatively()
    {
        using var meter = new Meter("ParallelDiff");
        using var exposition = new PrometheusExposition();
        var histogram = meter.CreateHistogram(_id + ".duration", "s", "How long.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2.5] });
        foreach (var value in new[] { 0.5, 1, 2, 3 })
        {
            histogram.Record(value);
        }

        var text = exposition.Scrape();

        var name = Prometheus(_id) + "_duration_seconds";
        Assert.Contains(
            $"# TYPE {name} histogram\n{name}_bucket{{le=\"1\"}} 2\n{name}_bucket{{le=\"2.5\"}} 3\n{name}_bucket{{le=\"+Inf\"}} 4\n{name}_sum 6.5\n{name}_count 4\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Up_down_counters_and_gauges_should_be_gauges_observed_at_each_scrape()
    {
        using var meter = new Meter("ParallelDiff");
        using var exposition = new PrometheusExposition();
        var inFlight = meter.CreateUpDownCounter<long>(_id + ".in_flight", "{layer}", "Layers now.");
        long held = 100;
        meter.CreateObservableUpDownCounter(_id + ".held", () => held, "By", "Held now.");
        meter.CreateObservableGauge(_id + ".share", () => 0.25, "1", "A share.");
        inFlight.Add(3);
        inFlight.Add(-1);

        var first = exposition.Scrape();
        held = 40;
        var second = exposition.Scrape();

        var id = Prometheus(_id);
        Assert.Contains($"# TYPE {id}_in_flight gauge\n{id}_in_flight 2\n", first, StringComparison.Ordinal);
        Assert.Contains($"# TYPE {id}_held_bytes gauge\n{id}_held_bytes 100\n", first, StringComparison.Ordinal);
        Assert.Contains($"{id}_held_bytes 40\n", second, StringComparison.Ordinal);
        Assert.Contains($"# TYPE {id}_share_ratio gauge\n{id}_share_ratio 0.25\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_instruments_should_all_be_there_before_any_layer()
    {
        using var exposition = new PrometheusExposition();

        var text = exposition.Scrape();

        foreach (var line in new[]
        {
            "# TYPE paralleldiff_layers_started_total counter",
            "# TYPE paralleldiff_layers_done_total counter",
            "# TYPE paralleldiff_layers_failed_total counter",
            "# TYPE paralleldiff_data_read_bytes_total counter",
            "# TYPE paralleldiff_blob_written_bytes_total counter",
            "# TYPE paralleldiff_layer_duration_seconds histogram",
            "# TYPE paralleldiff_layer_compression_ratio histogram",
            "# TYPE paralleldiff_cache_hits_total counter",
            "# TYPE paralleldiff_read_ahead_usage_bytes gauge",
            "# TYPE paralleldiff_read_ahead_limit_bytes gauge",
        })
        {
            Assert.Contains(line + "\n", text, StringComparison.Ordinal);
        }
    }

    private static string Prometheus(string name) => name.Replace('.', '_');
}
