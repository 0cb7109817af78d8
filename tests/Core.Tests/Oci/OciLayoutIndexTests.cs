using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>index.json: tags by ref name, kept intact under concurrent writers (separate OciLayout instances, threads, another process's flock).</summary>
public sealed class OciLayoutIndexTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-ociidx-");

    public void Dispose() => _scratch.Dispose();

    private string Dir => Path.Combine(_scratch.Path, "layout");

    private static OciDescriptor StoreManifest(OciLayout layout, string content) =>
        layout.WriteBlob(OciMediaTypes.ImageManifest, Encoding.UTF8.GetBytes(content));

    private static string RefName(OciDescriptor d) => d.Annotations![OciMediaTypes.RefNameAnnotation];

    [Fact]
    public void Tag_should_list_the_manifest_with_its_ref_name()
    {
        var layout = OciLayout.Open(Dir);
        var manifest = StoreManifest(layout, "{\"a\":1}");

        layout.Tag(manifest, "v1.0");

        var listed = Assert.Single(layout.Manifests());
        Assert.Equal(manifest.Digest, listed.Digest);
        Assert.Equal(manifest.Size, listed.Size);
        Assert.Equal(OciMediaTypes.ImageManifest, listed.MediaType);
        Assert.Equal("v1.0", RefName(listed));
    }

    [Fact]
    public void Tag_of_a_group_should_leave_the_index_that_one_tag_after_another_leaves()
    {
        var oneByOne = OciLayout.Open(Path.Combine(_scratch.Path, "one-by-one"));
        var grouped = OciLayout.Open(Path.Combine(_scratch.Path, "grouped"));
        var tags = new[] { ("{\"a\":1}", "latest"), ("{\"b\":1}", "stable"), ("{\"c\":1}", "latest"), ("{\"d\":1}", "v1") };
        foreach (var layout in new[] { oneByOne, grouped })
        {
            layout.Tag(StoreManifest(layout, "{\"old\":1}"), "stable");
            layout.Tag(StoreManifest(layout, "{\"kept\":1}"), "kept");
        }

        foreach (var (content, name) in tags)
        {
            oneByOne.Tag(StoreManifest(oneByOne, content), name);
        }

        grouped.Tag(tags.Select(t => (StoreManifest(grouped, t.Item1), t.Item2)).ToList());

        Assert.Equal(File.ReadAllBytes(oneByOne.IndexPath), File.ReadAllBytes(grouped.IndexPath));
        Assert.Throws<ArgumentException>(() => grouped.Tag([(StoreManifest(grouped, "{}"), "not a name")]));
        Assert.Equal(File.ReadAllBytes(oneByOne.IndexPath), File.ReadAllBytes(grouped.IndexPath));
    }

    [Fact]
    public void Tag_should_replace_an_older_manifest_with_the_same_name_and_keep_others()
    {
        var layout = OciLayout.Open(Dir);
        var old = StoreManifest(layout, "{\"old\":1}");
        var other = StoreManifest(layout, "{\"other\":1}");
        var current = StoreManifest(layout, "{\"new\":1}");

        layout.Tag(old, "latest");
        layout.Tag(other, "stable");
        layout.Tag(current, "latest");

        Assert.Equal([("stable", other.Digest), ("latest", current.Digest)], layout.Manifests().Select(m => (RefName(m), m.Digest)));
        Assert.Equal(current.Digest, layout.FindManifest("latest")?.Digest);
        Assert.Null(layout.FindManifest("missing"));
    }

    [Fact]
    public void Tag_should_keep_fields_and_entries_it_does_not_model()
    {
        Directory.CreateDirectory(Dir);
        var foreign = "sha256:" + new string('f', 64);
        File.WriteAllText(Path.Combine(Dir, "index.json"), $$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","annotations":{"com.example":"x"},
             "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{foreign}}","size":7,
                           "platform":{"architecture":"arm64","os":"linux"},"urls":["https://example.com"]}]}
            """);
        var layout = OciLayout.Open(Dir);

        layout.Tag(StoreManifest(layout, "{}"), "mine");

        using var index = JsonDocument.Parse(File.ReadAllText(layout.IndexPath));
        Assert.Equal("x", index.RootElement.GetProperty("annotations").GetProperty("com.example").GetString());
        var first = index.RootElement.GetProperty("manifests")[0];
        Assert.Equal(foreign, first.GetProperty("digest").GetString());
        Assert.Equal("arm64", first.GetProperty("platform").GetProperty("architecture").GetString());
        Assert.Equal("https://example.com", first.GetProperty("urls")[0].GetString());
        Assert.Equal(2, index.RootElement.GetProperty("manifests").GetArrayLength());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"schemaVersion":1,"manifests":[]}""")]
    [InlineData("""{"schemaVersion":2}""")]
    [InlineData("[]")]
    public void Tag_should_refuse_to_replace_an_index_it_cannot_read(string content)
    {
        var layout = OciLayout.Open(Dir);
        var manifest = StoreManifest(layout, "{}");
        File.WriteAllText(layout.IndexPath, content);

        var e = Assert.Throws<InvalidDataException>(() => layout.Tag(manifest, "x"));

        Assert.Contains(layout.IndexPath, e.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(layout.IndexPath));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("v1.0.2")]
    [InlineData("foo/bar:1")]
    [InlineData("a--b")]
    [InlineData("1.2.3+build")]
    [InlineData("name@x")]
    public void Ref_names_in_the_grammar_should_be_accepted(string refName)
    {
        var layout = OciLayout.Open(Dir);
        layout.Tag(StoreManifest(layout, "{}"), refName);

        Assert.NotNull(layout.FindManifest(refName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("a---b")]
    [InlineData("a..b")]
    [InlineData("été")]
    public void Ref_names_outside_the_grammar_should_be_refused(string refName)
    {
        var layout = OciLayout.Open(Dir);

        Assert.Throws<ArgumentException>(() => layout.Tag(StoreManifest(layout, "{}"), refName));
    }

    [Fact]
    public void Tag_should_refuse_a_manifest_that_is_not_stored()
    {
        var layout = OciLayout.Open(Dir);

        var e = Assert.Throws<InvalidOperationException>(() => layout.Tag(new OciDescriptor(OciMediaTypes.ImageManifest, "sha256:" + new string('0', 64), 2), "x"));

        Assert.Contains("not stored", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Eight_concurrent_writers_should_lose_no_tag()
    {
        const int Writers = 8;
        const int TagsEach = 15;
        OciLayout.Open(Dir);

        Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, writer =>
        {
            var layout = OciLayout.Open(Dir);
            for (var i = 0; i < TagsEach; i++)
            {
                layout.Tag(StoreManifest(layout, $"{{\"w\":{writer},\"i\":{i}}}"), $"w{writer}-{i}");
                layout.Tag(StoreManifest(layout, $"{{\"shared\":{writer},\"i\":{i}}}"), "shared");
            }
        });

        var manifests = OciLayout.Open(Dir).Manifests();
        var names = manifests.Select(RefName).ToList();
        Assert.Equal(Writers * TagsEach + 1, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(Enumerable.Range(0, Writers), w => Assert.All(Enumerable.Range(0, TagsEach), i => Assert.Contains($"w{w}-{i}", names)));
        Assert.Equal(["blobs", "index.json", "index.json.lock", "oci-layout"], Directory.GetFileSystemEntries(Dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_writer_should_wait_while_another_holds_the_lock_file()
    {
        var layout = OciLayout.Open(Dir);
        var manifest = StoreManifest(layout, "{}");
        var before = File.ReadAllText(layout.IndexPath);

        Task tagging;
        // ExclusiveFile waits out a child process forked by another test that still shares a lock just let go.
        using (ExclusiveFile.Open(layout.IndexLockPath))
        {
            tagging = Task.Run(() => OciLayout.Open(Dir).Tag(manifest, "waited"));
            await Task.Delay(500);

            Assert.False(tagging.IsCompleted, "the writer went ahead while the lock was held");
            Assert.Equal(before, File.ReadAllText(layout.IndexPath));
        }

        await tagging.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(layout.FindManifest("waited"));
    }

    [Fact]
    public void A_writer_should_wait_for_a_lock_held_by_another_process()
    {
        var layout = OciLayout.Open(Dir);
        var manifest = StoreManifest(layout, "{}");
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", layout.IndexLockPath, "sleep", "1.5"]) { UseShellExecute = false })!;
        LockFiles.WaitUntilHeldElsewhere(layout.IndexLockPath);

        var clock = Stopwatch.StartNew();
        layout.Tag(manifest, "after-process");
        clock.Stop();

        holder.WaitForExit();
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(0.8), $"the writer took the lock after {clock.Elapsed} while flock(1) held it");
        Assert.NotNull(layout.FindManifest("after-process"));
    }

    [Fact]
    public void A_writer_should_give_up_after_the_lock_timeout()
    {
        var layout = OciLayout.Open(Dir, lockTimeout: TimeSpan.FromMilliseconds(200));
        var manifest = StoreManifest(layout, "{}");
        using var held = ExclusiveFile.Open(layout.IndexLockPath);

        var e = Assert.Throws<TimeoutException>(() => layout.Tag(manifest, "never"));

        Assert.Contains(layout.IndexLockPath, e.Message, StringComparison.Ordinal);
    }
}
