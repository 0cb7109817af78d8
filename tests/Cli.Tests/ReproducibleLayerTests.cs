using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>--source-date-epoch: a rebuild of the same content at a later time gives the same diffID (moby/buildkit#4057).</summary>
public sealed class ReproducibleLayerTests : IDisposable
{
    private const long Epoch = 1_700_000_000;
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string DiffId(params string[] extra)
    {
        var result = CliRunner.Run(["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", Path.Combine(_tree.Root, "layer-" + Guid.NewGuid().ToString("N")), .. extra]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        using var descriptor = JsonDocument.Parse(result.StdOut);
        return descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString()!;
    }

    private void TouchUpper(DateTime when)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(_tree.Upper, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget is null))
        {
            File.SetLastWriteTimeUtc(path, when);
        }
    }

    [Fact]
    public void A_rebuild_with_later_mtimes_should_give_the_same_diffID_when_clamped()
    {
        TouchUpper(DateTime.UnixEpoch.AddSeconds(Epoch + 1000));
        var first = DiffId("--source-date-epoch", Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var unclamped = DiffId();

        TouchUpper(DateTime.UnixEpoch.AddSeconds(Epoch + 999_999));
        Assert.Equal(first, DiffId("--source-date-epoch", Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotEqual(unclamped, DiffId());
    }
}
