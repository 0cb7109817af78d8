using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Paths longer than PATH_MAX (4096 bytes) inside a snapshot, which the kernel refuses whole: GNU
/// tar walks and reads them relative to their directories, and so must the differs, on the small
/// path and the engine's alike; apply writes them back the same way.
/// </summary>
public sealed class DeepPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-deep-").FullName;

    /// <summary>rm -rf: .NET's recursive delete cannot name paths past PATH_MAX either.</summary>
    public void Dispose()
    {
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", _root]);
        rm.WaitForExit();
    }

    [Theory]
    [InlineData("overlay", "")]
    [InlineData("walking", "")]
    [InlineData("overlay", ActorPathTests.Actors)]
    public void An_upper_deeper_than_PATH_MAX_should_export_and_apply_like_tar(string differ, string config)
    {
        // 25 directories of 191-byte names: the file's path is about 4,900 bytes.
        Bash($"mkdir upper lower && cd upper && for i in $(seq -w 0 24); do d=d$(printf '%0188d' 0)$i; mkdir $d && cd $d; done && printf 'deep data\\n' > file && ln file link && ln -s file sym");
        var arguments = new List<string> { "diff", "--upper", Path.Combine(_root, "upper"), "--lower", Path.Combine(_root, "lower"), "--differ", differ, "--compression", "none", "-o", Path.Combine(_root, "layer.tar") };
        if (config.Length > 0)
        {
            File.WriteAllText(Path.Combine(_root, "engine.conf"), config + "\n");
            arguments.AddRange(["--config", Path.Combine(_root, "engine.conf")]);
        }

        var result = CliRunner.Run([.. arguments]);
        Assert.True(result.ExitCode == 0, result.StdErr);

        // GNU tar reads the layer back: every level, the file with its data, the hard link and the symlink.
        var listing = Bash("tar -tvf layer.tar");
        Assert.Equal(25 + 3, listing.Trim().Split('\n').Length);
        var deepest = Bash("tar -tf layer.tar | awk '{ print length($0) }' | sort -n | tail -1");
        Assert.True(int.Parse(deepest.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 4096, $"the longest name has {deepest.Trim()} bytes");
        Assert.Contains(" link to ", listing, StringComparison.Ordinal);
        Assert.Contains("sym -> file", listing, StringComparison.Ordinal);

        // Our apply writes it back: the data is there, linked, through relative walks.
        Directory.CreateDirectory(Path.Combine(_root, "dest"));
        var apply = CliRunner.Run("apply", Path.Combine(_root, "layer.tar"), Path.Combine(_root, "dest"));
        Assert.True(apply.ExitCode == 0, apply.StdErr);
        var check = Bash("cd dest && while set -- d*; [ -d \"$1\" ]; do cd \"$1\"; done && cat file && stat -c %h file && readlink sym");
        Assert.Equal("deep data\n2\nfile\n", check);
    }

    /// <summary>Runs a bash command in the scratch directory, working component by component.</summary>
    private string Bash(string command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", command]) { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{command}: {stderr}");
        return stdout;
    }

    [Fact]
    public void Apply_into_a_missing_directory_should_say_so_and_not_call_it_partly_applied()
    {
        Bash("mkdir -p upper && echo x > upper/f");
        Assert.Equal(0, CliRunner.Run("diff", "--upper", Path.Combine(_root, "upper"), "-o", Path.Combine(_root, "layer.tgz")).ExitCode);
        var missing = Path.Combine(_root, "nowhere");
        var result = CliRunner.Run("apply", Path.Combine(_root, "layer.tgz"), missing);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{missing}: no such directory", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("partly applied", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void Apply_of_a_missing_layer_should_say_so_in_the_systems_words()
    {
        var missing = Path.Combine(_root, "nope.tgz");
        var result = CliRunner.Run("apply", missing, _root);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{missing}: no such file or directory (ENOENT)", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Could not find", result.StdErr, StringComparison.Ordinal);
    }
}
