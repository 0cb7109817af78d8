using ParallelDiff.Core.Export;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class ExportJobListTests
{
    private const string Base = "/jobs/dir";

    private static IReadOnlyList<ExportJob> Parse(string json) => ExportJobList.Parse(json, "jobs.json", Base);

    private static string Refused(string json) => Assert.Throws<JobListException>(() => Parse(json)).Message;

    [Fact]
    public void Load_should_read_the_file_as_utf8_with_or_without_a_byte_order_mark_and_name_what_it_cannot_read()
    {
        using var scratch = Support.ScratchDirectory.Create("pd-joblist-");
        var plain = Path.Combine(scratch.Path, "jobs.json");
        File.WriteAllText(plain, """[{"id": "a", "upper": "up/\u00e9"}]""", new System.Text.UTF8Encoding(false));
        var marked = Path.Combine(scratch.Path, "marked.json");
        File.WriteAllText(marked, """[{"id": "a", "upper": "up/é"}]""", new System.Text.UTF8Encoding(true));
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(marked)[..3]);

        Assert.Equal(Path.Combine(scratch.Path, "up/é"), ExportJobList.Load(plain).Single().Source.Upper);
        Assert.Equal(Path.Combine(scratch.Path, "up/é"), ExportJobList.Load(marked).Single().Source.Upper);
        var broken = Path.Combine(scratch.Path, "broken.json");
        File.WriteAllBytes(broken, [.. "[{\"id\": \"a\", \"upper\": \"up/"u8, 0xFF, .. "\"}]"u8]);
        Assert.Equal(broken + ": not UTF-8 text; a job file is JSON, which is", Assert.Throws<JobListException>(() => ExportJobList.Load(broken)).Message);
        Assert.EndsWith(": is a directory, not a job file", Assert.Throws<JobListException>(() => ExportJobList.Load(scratch.Path)).Message, StringComparison.Ordinal);
        Assert.EndsWith("nope.json: no such file or directory (ENOENT)", Assert.Throws<JobListException>(() => ExportJobList.Load(Path.Combine(scratch.Path, "nope.json"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_should_read_every_input_form_with_relative_directories_taken_from_the_job_file()
    {
        var jobs = Parse("""
            [
              {"id": "a", "upper": "u", "lower": "l2:/abs/l1"},
              {"id": "b", "upper": "/u", "lower": ["with:colon", "l1"], "userxattr": true},
              {"id": "c", "from": "old", "to": "new"},
              {"id": "d", "mount-options": "lowerdir=rel,upperdir=/u,workdir=/w"},
              {"id": "e", "mountpoint": "mnt"},
              {"id": "f", "docker-layer": "overlay2/abc"},
              {"id": "g", "mount-json": "m.json"},
              {"id": "h", "mounts": [{"type": "bind", "source": "/x"}], "compression": "zstd", "level": 9, "differ": "walking"},
            ]
            """);

        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h"], jobs.Select(j => j.Id));
        Assert.Equal("/jobs/dir/u", jobs[0].Source.Upper);
        Assert.Equal(["/jobs/dir/l2", "/abs/l1"], jobs[0].Source.Lowers!);
        Assert.Equal(["/jobs/dir/with:colon", "/jobs/dir/l1"], jobs[1].Source.Lowers!);
        Assert.True(jobs[1].Source.UserXattr);
        Assert.Equal(("/jobs/dir/old", "/jobs/dir/new"), (jobs[2].Source.From, jobs[2].Source.To));

        // Mount options keep the kernel's meaning: a relative path there is not the job file's business.
        Assert.Equal("lowerdir=rel,upperdir=/u,workdir=/w", jobs[3].Source.MountOptions);
        Assert.Equal("/jobs/dir/mnt", jobs[4].Source.MountPoint);
        Assert.Equal("/jobs/dir/overlay2/abc", jobs[5].Source.DockerLayer);
        Assert.Equal("/jobs/dir/m.json", jobs[6].Source.MountJsonPath);
        Assert.Contains("\"bind\"", jobs[7].Source.MountJson, StringComparison.Ordinal);
        Assert.Equal(("zstd", 9, "walking"), (jobs[7].Compression, jobs[7].Level, jobs[7].Differ));
    }

    [Theory]
    [InlineData("""[{"id":"a","upper":"x"},{"id":"a","upper":"y"}]""", "jobs 1 and 2 both have the id \"a\"")]
    [InlineData("""[{"id":"a","upper":"x","extra":1}]""", "unknown key \"extra\"")]
    [InlineData("""[{"upper":"x"}]""", "no \"id\"")]
    [InlineData("""[{"id":"-a","upper":"x"}]""", "valid ref name")]
    [InlineData("""[{"id":"a"}]""", "no snapshot given")]
    [InlineData("""[{"id":"a","upper":"x","docker-layer":"y"}]""", "--upper/--lower and --docker-layer are different inputs")]
    [InlineData("""[{"id":"a","lower":"x"}]""", "--lower needs --upper")]
    [InlineData("""[{"id":"a","to":"x"}]""", "--from and --to go together")]
    [InlineData("""[{"id":"a","upper":"x","lower":"l::m"}]""", "empty layer path")]
    [InlineData("""[{"id":"a","mount-json":"-"}]""", "standard input")]
    [InlineData("""[{"id":"a","mounts":"[]"}]""", "containerd's list of mounts")]
    [InlineData("""[{"id":"a","upper":"x","level":"high"}]""", "\"level\" must be a whole number")]
    [InlineData("""[{"id":"a","upper":""}]""", "non-empty string")]
    [InlineData("""[{"id":"a","mount-options":"lowerdir=/a,upperdir=/b","userxattr":true}]""", "says whether the mount used userxattr")]
    [InlineData("""[1]""", "a job must be a JSON object")]
    [InlineData("""{"jobs":[]}""", "expected a JSON list of jobs")]
    [InlineData("""[{"id":""", "not valid JSON")]
    public void Parse_should_refuse_a_malformed_job_naming_it(string json, string message)
    {
        Assert.Contains(message, Refused(json), StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_job_should_be_named_by_position_and_id()
    {
        Assert.Contains("jobs.json: job 2 (\"b\"): ", Refused("""[{"id":"a","upper":"x"},{"id":"b"}]"""), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("registry.example/team/web:v1.2-rc.1", true)]
    [InlineData("a--b", true)]
    [InlineData("a b", false)]
    [InlineData("a/", false)]
    [InlineData("a..b", false)]
    public void Ids_should_follow_the_ref_name_grammar_of_index_json(string id, bool valid)
    {
        Assert.Equal(valid, ExportJobList.IsValidId(id));
    }

    [Fact]
    public void Fingerprint_should_change_with_the_job_and_the_settings_and_only_then()
    {
        var job = Parse("""[{"id":"a","upper":"u","lower":"l"}]""")[0];
        Assert.Equal(job.Fingerprint("gzip 6"), Parse("""[{"id":"a","upper":"u","lower":["l"]}]""")[0].Fingerprint("gzip 6"));
        Assert.NotEqual(job.Fingerprint("gzip 6"), job.Fingerprint("zstd 3"));
        Assert.NotEqual(job.Fingerprint("gzip 6"), (job with { Compression = "zstd" }).Fingerprint("gzip 6"));
        Assert.NotEqual(job.Fingerprint("gzip 6"), Parse("""[{"id":"a","upper":"u","lower":"m"}]""")[0].Fingerprint("gzip 6"));
    }

    [Fact]
    public void Jobs_naming_one_lower_should_share_its_full_path_and_keep_each_their_own_order()
    {
        var jobs = Parse("""
            [{"id":"a","upper":"u1","lower":"base:mid"},
             {"id":"b","upper":"u2","lower":["mid","base"]},
             {"id":"c","upper":"u3","lower":"/abs/base"}]
            """);

        Assert.Equal([Path.Combine(Base, "base"), Path.Combine(Base, "mid")], jobs[0].Source.Lowers);
        Assert.Equal([Path.Combine(Base, "mid"), Path.Combine(Base, "base")], jobs[1].Source.Lowers);
        Assert.Equal(["/abs/base"], jobs[2].Source.Lowers);
        Assert.Same(jobs[0].Source.Lowers![0], jobs[1].Source.Lowers![1]);
        Assert.Same(jobs[0].Source.Lowers![1], jobs[1].Source.Lowers![0]);
        Assert.NotSame(jobs[0].Source.Lowers, jobs[1].Source.Lowers);
    }
}
