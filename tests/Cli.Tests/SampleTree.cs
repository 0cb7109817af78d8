namespace ParallelDiff.Cli.Tests;

/// <summary>A small lower + upper pair on disk, made without privileges.</summary>
public sealed class SampleTree : IDisposable
{
    public SampleTree()
    {
        Root = Directory.CreateTempSubdirectory("pd-cli-").FullName;
        Lower = Path.Combine(Root, "lower");
        Upper = Path.Combine(Root, "upper");
        Directory.CreateDirectory(Path.Combine(Lower, "etc"));
        Directory.CreateDirectory(Path.Combine(Upper, "etc"));
        File.WriteAllText(Path.Combine(Lower, "etc", "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(Path.Combine(Upper, "etc", "hosts"), "127.0.0.1 localhost\n::1 localhost\n");
        var rng = new Random(7);
        var data = new byte[3 * 1024 * 1024 + 17];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 251 < 200 ? 'a' + (i % 13) : rng.Next(256));
        }

        File.WriteAllBytes(Path.Combine(Upper, "blob.bin"), data);
        Directory.CreateDirectory(Path.Combine(Upper, "usr", "lib"));
        for (var i = 0; i < 50; i++)
        {
            File.WriteAllText(Path.Combine(Upper, "usr", "lib", $"lib{i}.so"), new string((char)('a' + i % 26), i * 100));
        }

        File.CreateSymbolicLink(Path.Combine(Upper, "usr", "lib", "current"), "lib1.so");
        Output = Path.Combine(Root, "out");
        Directory.CreateDirectory(Output);
    }

    public string Root { get; }

    public string Lower { get; }

    public string Upper { get; }

    public string Output { get; }

    /// <summary>Writes a HOCON override file (for --config) under the tree's root; returns its path.</summary>
    public string WriteConfig(string hocon)
    {
        var path = Path.Combine(Root, $"config-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
