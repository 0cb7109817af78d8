using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>diff into an OCI layout: the blob stored once, an optional one-layer image, and the --report entry.</summary>
public sealed class DiffLayoutTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string At(string name) => Path.Combine(_tree.Root, name);

    [Fact]
    public void Diff_into_a_layout_should_store_the_blob_once_under_its_digest_and_print_its_descriptor()
    {
        var layout = At("layout");
        string[] args = ["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--compression", "zstd", "--oci-layout", layout];
        var first = CliRunner.Run(args);
        var second = CliRunner.Run(args);

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Equal(first.StdOut, second.StdOut);
        using var descriptor = JsonDocument.Parse(first.StdOut);
        var hex = descriptor.RootElement.GetProperty("digest").GetString()!["sha256:".Length..];
        var blobs = LayoutBytes.Files(Path.Combine(layout, "blobs"));
        Assert.Equal([Path.Combine("sha256", hex)], blobs);
        Assert.Equal(descriptor.RootElement.GetProperty("size").GetInt64(), new FileInfo(Path.Combine(layout, "blobs", "sha256", hex)).Length);
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", File.ReadAllText(Path.Combine(layout, "oci-layout")));
    }

    [Fact]
    public void Diff_with_a_tag_and_a_report_should_write_a_one_layer_image_and_say_what_it_did()
    {
        var layout = At("layout");
        var output = At("layer.tar.gz");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", output, "--oci-layout", layout, "--tag", "app-v1", "--report", At("report.json"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        using var descriptor = JsonDocument.Parse(result.StdOut);
        var digest = descriptor.RootElement.GetProperty("digest").GetString()!;
        Assert.True(File.Exists(output));
        Assert.True(File.Exists(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..])));

        using var report = JsonDocument.Parse(File.ReadAllText(At("report.json")));
        var entry = Assert.Single(report.RootElement.GetProperty("snapshots").EnumerateArray());
        Assert.Equal("app-v1", entry.GetProperty("id").GetString());
        Assert.Equal(digest, entry.GetProperty("descriptor").GetProperty("digest").GetString());
        Assert.Equal(descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString(), entry.GetProperty("diffID").GetString());
        Assert.Equal("overlay", entry.GetProperty("differ").GetString());
        Assert.True(entry.GetProperty("bytesIn").GetInt64() > 3 * 1024 * 1024);
        Assert.Equal(new FileInfo(output).Length, entry.GetProperty("bytesOut").GetInt64());
        Assert.True(entry.GetProperty("seconds").GetDouble() > 0);

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        var manifest = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("app-v1", manifest.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
        Assert.Equal(entry.GetProperty("manifest").GetProperty("digest").GetString(), manifest.GetProperty("digest").GetString());
    }

    [Theory]
    [InlineData("diff needs -o OUT, --oci-layout DIR, --oci-archive FILE or --push REF")]
    [InlineData("--tag needs --oci-layout", "-o", "x", "--tag", "v1")]
    [InlineData("not a valid ref name", "--oci-layout", "x", "--tag", "v 1")]
    public void Missing_or_inconsistent_outputs_should_be_usage_errors(string message, params string[] outputs)
    {
        var result = CliRunner.Run(["diff", "--upper", _tree.Upper, .. outputs]);
        Assert.True(result.ExitCode == 2, result.StdErr);
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
    }
}
