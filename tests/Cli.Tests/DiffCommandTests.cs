using System.Security.Cryptography;
using System.Text.Json;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>The diff command's contract: the descriptor line, the blob, the compressions.</summary>
public sealed class DiffCommandTests
{
    [Fact]
    public void Diff_should_write_blobs_that_the_standard_tools_decompress_to_the_same_tar()
    {
        using var tree = new SampleTree();
        var tar = Export(tree, "none", out var plain);
        Assert.Equal("application/vnd.oci.image.layer.v1.tar", plain.MediaType);
        Assert.Equal(plain.DiffId, plain.Digest);

        foreach (var (kind, tool, media) in new[]
                 {
                     ("gzip", "gzip", "application/vnd.oci.image.layer.v1.tar+gzip"),
                     ("zstd", "zstd", "application/vnd.oci.image.layer.v1.tar+zstd"),
                     ("lz4", "lz4", "application/vnd.paralleldiff.image.layer.v1.tar+lz4"),
                 })
        {
            var blob = Export(tree, kind, out var d);
            Assert.Equal(media, d.MediaType);
            Assert.Equal(plain.DiffId, d.DiffId);
            Assert.Equal(tar, CliRunner.Pipe(tool, blob, "-dc"));
        }

        // A multi-member-aware reader other than gzip(1): Python's gzip module.
        var gz = Export(tree, "gzip", out _);
        Assert.Equal(tar, CliRunner.Pipe("python3", gz, "-c", "import gzip,sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"));
    }

    [Fact]
    public void Diff_should_print_one_descriptor_line_matching_the_blob()
    {
        using var tree = new SampleTree();
        var blob = Export(tree, "zstd", out var d);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)), d.Digest);
        Assert.Equal(blob.Length, d.Size);
    }

    [Fact]
    public void Diff_of_the_same_snapshot_should_give_the_same_bytes_every_time()
    {
        using var tree = new SampleTree();
        var a = Export(tree, "gzip", out var first);
        var b = Export(tree, "gzip", out var second);
        Assert.Equal(first, second);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Apply_should_unpack_a_compressed_layer_onto_the_lower()
    {
        using var tree = new SampleTree();
        var output = Path.Combine(tree.Output, "layer.zst");
        Assert.Equal(0, CliRunner.Run("diff", "--upper", tree.Upper, "--lower", tree.Lower, "--compression", "zstd", "-o", output).ExitCode);
        var dest = Path.Combine(tree.Root, "dest");
        Directory.CreateDirectory(Path.Combine(dest, "etc"));
        File.Copy(Path.Combine(tree.Lower, "etc", "hosts"), Path.Combine(dest, "etc", "hosts"));

        var result = CliRunner.Run("apply", output, dest);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(File.ReadAllText(Path.Combine(tree.Upper, "etc", "hosts")), File.ReadAllText(Path.Combine(dest, "etc", "hosts")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Upper, "blob.bin")), File.ReadAllBytes(Path.Combine(dest, "blob.bin")));
        Assert.Equal("lib1.so", new FileInfo(Path.Combine(dest, "usr", "lib", "current")).LinkTarget);
    }

    [Theory]
    [InlineData("diff")]
    [InlineData("image")]
    [InlineData("export")]
    [InlineData("apply")]
    public void Help_should_document_inputs_outputs_and_exit_codes(string command)
    {
        var result = CliRunner.Run(command, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("usage: paralleldiff " + command, result.StdOut, StringComparison.Ordinal);
        Assert.Contains("exit codes", result.StdOut, StringComparison.Ordinal);
    }

    internal static byte[] Export(SampleTree tree, string compression, out Descriptor descriptor)
    {
        var output = Path.Combine(tree.Output, "layer-" + compression);
        var result = CliRunner.Run("diff", "--upper", tree.Upper, "--lower", tree.Lower, "--compression", compression, "-o", output);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var json = JsonDocument.Parse(lines[0]);
        var root = json.RootElement;
        descriptor = new Descriptor(
            root.GetProperty("mediaType").GetString()!,
            root.GetProperty("digest").GetString()!,
            root.GetProperty("size").GetInt64(),
            root.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString()!);
        return File.ReadAllBytes(output);
    }

    internal sealed record Descriptor(string MediaType, string Digest, long Size, string DiffId);
}
