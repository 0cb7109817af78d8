using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// Copies of one tree in one zstd:chunked/eStargz export to an OCI layout: once the layout holds
/// the first copy's blob, the others' blobs are not written at all (every frame came from the
/// cache and their recipe made that blob), and the layout is byte-identical to one written with
/// no frame cache, where every copy is written whole.
/// </summary>
public sealed partial class HeldCopiesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-held-copies-").FullName;

    public void Dispose() => SystemTool.Run("rm", "-rf", _root);

    [GeneratedRegex(@"^\d+\s+p?write(?:v|64)?\((\d+)<([^>]+)>.*= (\d+)$")]
    private static partial Regex WriteCall();

    [RootWithToolsFact("strace")]
    public void Zstd_chunked_copies_after_the_first_should_write_no_blob_and_give_the_layout_of_no_cache() =>
        CopiesAfterTheFirstWriteNoBlob("zstd:chunked");

    [RootWithToolsFact("strace")]
    public void Estargz_copies_after_the_first_should_write_no_blob_and_give_the_layout_of_no_cache() =>
        CopiesAfterTheFirstWriteNoBlob("estargz");

    private void CopiesAfterTheFirstWriteNoBlob(string compression)
    {
        var upper = Path.Combine(_root, "upper");
        Directory.CreateDirectory(Path.Combine(upper, "app"));
        var random = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var data = new byte[20_000 + (i * 997)];
            random.NextBytes(data.AsSpan(0, data.Length / 3));
            File.WriteAllBytes(Path.Combine(upper, "app", $"f{i:D2}.bin"), data);
        }

        var jobs = Path.Combine(_root, "jobs.json");
        File.WriteAllText(jobs, JsonSerializer.Serialize(Enumerable.Range(0, 3).Select(i => new Dictionary<string, string> { ["id"] = $"copy{i}", ["upper"] = upper })));
        var noCache = Path.Combine(_root, "no-cache.conf");
        File.WriteAllText(noCache, "paralleldiff.cache.memory = 0\n");

        // One layer at a time: the second copy starts after the first is in the layout.
        var plainBytes = BlobBytesWritten(Path.Combine(_root, "plain"), jobs, compression, "--config", noCache);
        var copiesBytes = BlobBytesWritten(Path.Combine(_root, "copies"), jobs, compression);

        var layer = new DirectoryInfo(Path.Combine(_root, "plain", "blobs", "sha256")).GetFiles().Max(f => f.Length);
        Assert.True(layer > 300_000, $"the largest blob has {layer} bytes: not the layer");
        Assert.Equal(2 * layer, plainBytes - copiesBytes);
        LayoutBytes.AssertEqual(Path.Combine(_root, "plain"), Path.Combine(_root, "copies"));
    }

    /// <summary>Exports the jobs one layer at a time under strace; the bytes written to files in the layout's blobs directory.</summary>
    private static long BlobBytesWritten(string layout, string jobs, string compression, params string[] extra)
    {
        var args = CliRunner.CommandLineOf(
            ["export", "--jobs", jobs, "--oci-layout", layout, "--compression", compression, "--created", "none", "--max-concurrent", "1", "--quiet", .. extra]);
        var (result, calls) = Strace.Run("write,pwrite64,writev,pwritev,pwritev2", withPaths: true, args[0], [.. args.Skip(1)]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");
        var blobs = Path.Combine(layout, "blobs", "sha256") + "/";
        return calls.Select(c => WriteCall().Match(c))
            .Where(m => m.Success && m.Groups[2].Value.StartsWith(blobs, StringComparison.Ordinal))
            .Sum(m => long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
