using System.Text.Json;
using ParallelDiff.Hosting.Tests.Support;
using Xunit;

namespace ParallelDiff.Hosting.Tests;

/// <summary>samples/ExportWorker, built with the solution and run as a process on a job file.</summary>
public sealed class ExportWorkerSampleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-worker-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ExportWorker_should_write_every_jobs_layer_and_exit_0()
    {
        var snapshots = new[] { "a", "b", "c" }.Select(tag => ScratchSnapshot.Create(tag, _root)).ToList();
        var jobs = WriteJobs(
            $$"""{"id": "a", "upper": "a/upper", "lower": "a/lower"}""",
            // Lowers as a list, a level, and an id with a '/' (a ref name): a subdirectory of OUTDIR.
            $$"""{"id": "team/b", "upper": "b/upper", "lower": ["b/lower"], "compression": "gzip", "level": 1}""",
            $$"""{"id": "c", "upper": "{{snapshots[2].Upper}}", "lower": "{{snapshots[2].Lower}}", "differ": "walking"}""");
        var output = Path.Combine(_root, "out");

        var outcome = await ExportWorkerProcess.RunAsync(jobs, output);

        Assert.True(outcome.ExitCode == 0, outcome.Output);
        foreach (var (id, snapshot) in new[] { "a", "team/b", "c" }.Zip(snapshots))
        {
            var blob = LayerBlob.ReadGzip(Path.Combine(output, id + ".tar.gz"));
            using var descriptor = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, id + ".json")));
            var root = descriptor.RootElement;
            Assert.Equal(blob.Digest, root.GetProperty("digest").GetString());
            Assert.Equal(blob.Size, root.GetProperty("size").GetInt64());
            Assert.Equal(blob.DiffId, root.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString());
            Assert.Equal(snapshot.ExpectedFiles.Keys.Order(StringComparer.Ordinal), blob.Files.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, content) in snapshot.ExpectedFiles)
            {
                Assert.Equal(content, blob.Files[name]);
            }
        }

        // Three snapshots of different contents: three different layers.
        Assert.Equal(3, new[] { "a", "team/b", "c" }.Select(id => LayerBlob.ReadGzip(Path.Combine(output, id + ".tar.gz")).DiffId).Distinct().Count());
        Assert.Contains("3 of 3 layers written, 0 failed", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportWorker_should_exit_3_when_a_job_fails_and_still_write_the_others()
    {
        var good = ScratchSnapshot.Create("good", _root);
        var jobs = WriteJobs(
            $$"""{"id": "missing", "upper": "nowhere/upper"}""",
            $$"""{"id": "good", "upper": "good/upper", "lower": "good/lower"}""");
        var output = Path.Combine(_root, "out");

        var outcome = await ExportWorkerProcess.RunAsync(jobs, output);

        Assert.True(outcome.ExitCode == 3, outcome.Output);
        Assert.Contains(Path.Combine(_root, "nowhere", "upper"), outcome.Output, StringComparison.Ordinal);
        Assert.Equal(good.ExpectedFiles.Keys.Order(StringComparer.Ordinal), LayerBlob.ReadGzip(Path.Combine(output, "good.tar.gz")).Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["good.json", "good.tar.gz"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("\"compression\": \"brotli\"", "'brotli'")]
    // A key of the CLI's that this worker does not do is refused, not ignored.
    [InlineData("\"lower-layers\": true", "one layer blob per job; \"push\", \"base\", \"lower-layers\"")]
    public async Task ExportWorker_should_exit_2_on_a_job_file_it_cannot_honour_before_writing_anything(string key, string named)
    {
        ScratchSnapshot.Create("a", _root);
        var jobs = WriteJobs(
            $$"""{"id": "a", "upper": "a/upper", "lower": "a/lower"}""",
            $$"""{"id": "b", "upper": "a/upper", "lower": "a/lower", {{key}}}""");
        var output = Path.Combine(_root, "out");

        var outcome = await ExportWorkerProcess.RunAsync(jobs, output);

        Assert.True(outcome.ExitCode == 2, outcome.Output);
        Assert.Contains(named, outcome.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    private string WriteJobs(params string[] jobs)
    {
        var path = Path.Combine(_root, "jobs.json");
        File.WriteAllText(path, "[\n" + string.Join(",\n", jobs) + "\n]\n");
        return path;
    }
}
