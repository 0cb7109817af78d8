using System.Diagnostics;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// The Go programs in tests/Cli.Tests/Verifiers, which read a layer with the format's own library
/// (containers/storage for zstd:chunked, stargz-snapshotter's estargz for eStargz). Built once per
/// test run (the Go build cache, safe to share, kept in TMPDIR/paralleldiff-go-cache) in GOPATH mode against Debian's source packages under /usr/share/gocode, so nothing is
/// vendored or downloaded: GO111MODULE=off GOPATH=TMP:/usr/share/gocode go build.
/// </summary>
public static class GoVerifiers
{
    private const string GoPath = "/usr/share/gocode";

    private static readonly string[] Sources =
    [
        "src/github.com/containers/storage/pkg/chunked",
        "src/github.com/containerd/stargz-snapshotter/estargz",
        "src/github.com/ulikunitz/xz",
        "src/github.com/vbatts/tar-split/tar/asm",
    ];

    private static readonly Lazy<string> Built = new(Build);

    /// <summary>Why the verifiers cannot be built here, or null when they can.</summary>
    public static string? SkipReason { get; } =
        !SystemTool.OnPath("go") ? "needs go (./run.sh test installs golang-go and the Go source packages with apt)"
        : Sources.FirstOrDefault(s => !Directory.Exists(Path.Combine(GoPath, s))) is { } missing
            ? $"needs {GoPath}/{missing} (./run.sh test installs golang-github-containers-storage-dev, golang-github-containerd-stargz-snapshotter-dev, golang-github-ulikunitz-xz-dev)"
            : null;

    /// <summary>Runs containers/storage's reader on a zstd:chunked blob and its descriptor line; returns its report.</summary>
    public static string ZstdChunked(string blob, string descriptorJson)
    {
        var descriptor = blob + ".descriptor.json";
        File.WriteAllText(descriptor, descriptorJson);
        return Run(Path.Combine(Built.Value, "zstdchunked"), blob, descriptor);
    }

    /// <summary>Runs estargz.Open and VerifyTOC on an eStargz blob with the TOC digest of its annotation; returns the report.</summary>
    public static string Estargz(string blob, string tocDigest) => Run(Path.Combine(Built.Value, "estargz"), blob, tocDigest);

    private static string Build()
    {
        var root = Directory.CreateTempSubdirectory("pd-goverifiers-").FullName;
        (string, string)[] env = [("GO111MODULE", "off"), ("GOPATH", $"{root}:{GoPath}"), ("GOCACHE", Path.Combine(Path.GetTempPath(), "paralleldiff-go-cache")), ("GOFLAGS", string.Empty)];
        foreach (var name in new[] { "zstdchunked", "estargz" })
        {
            var source = Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Verifiers", name);
            RunIn(source, env, "go", "build", "-o", Path.Combine(root, name), ".");
        }

        return root;
    }

    private static string Run(string program, params string[] args) => RunIn(null, [], program, args);

    private static string RunIn(string? directory, (string Name, string Value)[] env, string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null)
        {
            psi.WorkingDirectory = directory;
        }

        foreach (var (name, value) in env)
        {
            psi.Environment[name] = value;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return p.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
    }
}
