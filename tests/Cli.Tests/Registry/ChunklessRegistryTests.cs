using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>A registry that refuses chunked uploads (PATCH 405) still gets the layer: spooled, then sent in one PUT.</summary>
public sealed class ChunklessRegistryTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Registry_that_refuses_chunks_should_get_the_layer_in_one_put()
    {
        using var registry = new ChunklessRegistry();
        var output = Path.Combine(_tree.Output, "layer.tgz");
        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "-o", output, "--push", $"{registry.Address}/app:v1");
        Assert.True(push.ExitCode == 0, push.StdErr);
        Assert.True(registry.PatchesRefused >= 1, "the first chunk was offered");

        var digest = JsonDocument.Parse(push.StdOut).RootElement.GetProperty("digest").GetString()!;
        Assert.Equal(File.ReadAllBytes(output), registry.Blobs[digest]);
        Assert.True(registry.Manifests.ContainsKey("v1"), "the tag was put");
        Assert.Equal(2, registry.Blobs.Count);
    }
}
