using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// What a one-file diff in the published front must not spend its start-up on (BENCHMARKS.md,
/// 2026-11-28 07:40): loading OpenSSL to hash a few KiB, and probing the disk for "libc" under a
/// dozen names. Timing is the benchmark's job; these check that the work is not done at all.
/// </summary>
public sealed class FrontStartupTests : IDisposable
{
    // The seed case, `RUN echo hello > /hello` plus a line appended to /etc/hosts: well under the
    // 1 MiB that Sha256Hasher hashes in managed code.
    private readonly string _root = Directory.CreateTempSubdirectory("pd-front-").FullName;

    public FrontStartupTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "lower", "etc"));
        Directory.CreateDirectory(Path.Combine(_root, "upper", "etc"));
        File.WriteAllText(Path.Combine(_root, "lower", "etc", "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(Path.Combine(_root, "upper", "etc", "hosts"), "127.0.0.1 localhost\n10.0.0.2 build\n");
        File.WriteAllText(Path.Combine(_root, "upper", "hello"), "hello\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (CliRunner.Result Result, string[] Opens) TracedDiff() =>
        Strace.Run("openat,openat2", CliRunner.PublishedBinary!, "diff", "--upper", Path.Combine(_root, "upper"), "--lower", Path.Combine(_root, "lower"), "-o", Path.Combine(_root, "layer"));

    [PublishedBinaryFact]
    public void A_small_layer_should_be_hashed_without_loading_OpenSSL()
    {
        var (result, opens) = TracedDiff();

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("sha256:", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(opens, l => l.Contains("libssl", StringComparison.Ordinal) || l.Contains("libcrypto", StringComparison.Ordinal));
    }

    [PublishedBinaryFact]
    public void Native_calls_should_be_bound_without_searching_for_libraries()
    {
        var (result, opens) = TracedDiff();

        Assert.True(result.ExitCode == 0, result.StdErr);
        var searched = opens.Where(l => l.Contains(".so", StringComparison.Ordinal) && l.Contains("ENOENT", StringComparison.Ordinal)).ToList();
        Assert.True(searched.Count == 0, "library look-ups that failed:\n" + string.Join('\n', searched));
    }
}
