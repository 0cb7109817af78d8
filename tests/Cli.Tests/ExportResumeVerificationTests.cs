using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A rerun of 'paralleldiff export' trusts no blob on its name: a blob of a finished image that was
/// deleted, truncated or changed in one byte at the same size makes that snapshot export again, says
/// why on stderr, and the layout ends byte-identical to a clean run's.
/// </summary>
public sealed class ExportResumeVerificationTests : IDisposable
{
    private const string Victim = "snap-002";
    private readonly SnapshotFarm _farm = new(6);
    private readonly string _layout;
    private readonly string _clean;

    public ExportResumeVerificationTests()
    {
        _layout = _farm.At("layout");
        _clean = _farm.At("clean");
        Assert.Equal(0, CliRunner.Run(Export(_layout, "--quiet")).ExitCode);
    }

    public void Dispose() => _farm.Dispose();

    private string[] Export(string layout, params string[] extra) =>
        ["export", "--jobs", _farm.JobsFile, "--oci-layout", layout, "--max-concurrent", "2", "--created", "none", .. extra];

    [Fact]
    public void A_deleted_config_blob_should_be_written_again()
    {
        var config = Blob(Victim, "config");
        File.Delete(Path(config));

        var stderr = RerunRedoingOnlyTheVictim();

        Assert.Contains($"{Victim}: warning: config blob {config} is missing; exporting it again", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path(config)));
    }

    [Fact]
    public void A_layer_blob_with_one_byte_changed_at_the_same_size_should_be_exported_again()
    {
        var layer = Blob(Victim, "layer");
        var bytes = File.ReadAllBytes(Path(layer));
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(Path(layer), bytes);

        var stderr = RerunRedoingOnlyTheVictim();

        Assert.Contains($"{Victim}: warning: layer blob {layer} is damaged (digest mismatch); exporting it again", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_manifest_blob_should_be_written_again_and_said_so()
    {
        var manifest = Blob(Victim, "manifest");
        File.Delete(Path(manifest));

        var stderr = RerunRedoingOnlyTheVictim();

        Assert.Contains($"{Victim}: warning: manifest blob {manifest} is missing; exporting it again", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_config_blob_should_be_written_again()
    {
        var config = Blob(Victim, "config");
        var size = new FileInfo(Path(config)).Length;
        using (var file = File.OpenWrite(Path(config)))
        {
            file.SetLength(size - 7);
        }

        var stderr = RerunRedoingOnlyTheVictim();

        Assert.Contains($"{Victim}: warning: config blob {config} is damaged ({size - 7} bytes, not {size}); exporting it again", stderr, StringComparison.Ordinal);
    }

    /// <summary>Reruns on the damaged layout, checks only the victim was exported again and the layout equals a clean run's.</summary>
    /// <returns>The rerun's stderr.</returns>
    private string RerunRedoingOnlyTheVictim()
    {
        var rerun = CliRunner.Run(Export(_layout, "--progress", "plain", "--report", _farm.At("rerun.json")));
        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        Assert.Empty(rerun.StdOut);
        using (var report = JsonDocument.Parse(File.ReadAllText(_farm.At("rerun.json"))))
        {
            Assert.Equal(5, report.RootElement.GetProperty("resumed").GetInt32());
            var redone = Assert.Single(report.RootElement.GetProperty("snapshots").EnumerateArray(), s => s.GetProperty("status").GetString() == "done");
            Assert.Equal(Victim, redone.GetProperty("id").GetString());
        }

        Assert.Equal(0, CliRunner.Run(Export(_clean, "--quiet")).ExitCode);
        LayoutBytes.AssertEqual(_clean, _layout);
        return rerun.StdErr;
    }

    /// <summary>The digest of the tagged image's manifest, its config, or its (only) layer.</summary>
    private string Blob(string id, string which)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(_layout, "index.json")));
        var manifest = index.RootElement.GetProperty("manifests").EnumerateArray()
            .Single(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString() == id)
            .GetProperty("digest").GetString()!;
        if (which == "manifest")
        {
            return manifest;
        }

        using var image = JsonDocument.Parse(File.ReadAllText(Path(manifest)));
        var descriptor = which == "config" ? image.RootElement.GetProperty("config") : image.RootElement.GetProperty("layers")[0];
        return descriptor.GetProperty("digest").GetString()!;
    }

    private string Path(string digest) => System.IO.Path.Combine(_layout, "blobs", "sha256", digest["sha256:".Length..]);
}
