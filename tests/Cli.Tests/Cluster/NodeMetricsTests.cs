using Xunit;

namespace ParallelDiff.Cli.Tests.Cluster;

/// <summary>A node serves its metrics for Prometheus as an export does, from the moment it is up.</summary>
public sealed class NodeMetricsTests
{
    [Fact]
    public async Task A_node_should_answer_metrics_while_it_runs()
    {
        var port = Registry.LocalRegistry.FreePort();
        using var nodes = new ClusterNodes();
        nodes.Start("n1", "--metrics", $"127.0.0.1:{port}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Contains("# TYPE paralleldiff_layers_started_total counter", text, StringComparison.Ordinal);
        Assert.Contains("paralleldiff_blob_written_bytes_total", text, StringComparison.Ordinal);
    }
}
