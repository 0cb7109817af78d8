using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A three-layer image stack and a container's upper, made the way a snapshotter makes them: L1 is
/// a plain bottom directory; L2, L3 and U are upperdirs the kernel filled while the test wrote
/// through real overlay mounts (copy-ups, whiteouts, opaque directories, renames, hard links,
/// metadata-only changes). <see cref="Merged"/> is the kernel's read-only view of U over L3:L2:L1,
/// the oracle every client's unpacked image must equal. Needs root.
/// </summary>
public sealed class KernelMadeLayers : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-stack-");

    public KernelMadeLayers()
    {
        L1 = At("L1");
        L2 = At("L2");
        L3 = At("L3");
        U = At("U");
        MakeBottom();
        Write(L2, [L1], ChangeSecondLayer);
        Write(L3, [L2, L1], ChangeThirdLayer);
        Write(U, [L3, L2, L1], ChangeUpper);
    }

    public string L1 { get; }

    public string L2 { get; }

    public string L3 { get; }

    public string U { get; }

    /// <summary>The lowers of U in overlayfs order, as --lower takes them.</summary>
    public string Lowers => $"{L3}:{L2}:{L1}";

    public string At(string name) => Path.Combine(_scratch.Path, name);

    /// <summary>The kernel's merged view of the whole stack, captured while mounted read-only.</summary>
    public IReadOnlyList<TreeEntry> Merged()
    {
        using var merged = OverlayMount.ReadOnly([U, L3, L2, L1]);
        return TreeSnapshot.Capture(merged.MountPoint);
    }

    public void Dispose() => _scratch.Dispose();

    private void Write(string upper, string[] lowersTopFirst, Action<Func<string, string>> change)
    {
        var name = Path.GetFileName(upper);
        using var overlay = WritableOverlay.Mount(upper, At("work-" + name), lowersTopFirst, At("mnt-" + name));
        change(overlay.At);
    }

    private void MakeBottom()
    {
        string P(string relative) => Path.Combine(L1, relative);
        foreach (var dir in new[] { "etc", "usr/bin", "usr/share/doc/a", "usr/share/doc/b", "var/log", "opt/app/lib", "srv" })
        {
            Directory.CreateDirectory(P(dir));
        }

        File.WriteAllText(P("etc/hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(P("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(P("usr/bin/tool"), "#!/bin/sh\necho tool\n");
        File.SetUnixFileMode(P("usr/bin/tool"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(P("usr/share/doc/a/README"), "a\n");
        File.WriteAllText(P("usr/share/doc/b/README"), "b\n");
        File.WriteAllText(P("var/log/old.log"), "old\n");
        File.WriteAllText(P("opt/app/lib/core.so"), "core v1\n");
        File.WriteAllText(P("opt/app/config"), "v1\n");
        File.CreateSymbolicLink(P("usr/bin/alias"), "tool");
        SystemTool.Check("ln", P("usr/bin/tool"), P("usr/bin/tool-hard"));
        File.SetLastWriteTimeUtc(P("etc/hosts"), new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
    }

    private static void ChangeSecondLayer(Func<string, string> at)
    {
        File.AppendAllText(at("etc/hosts"), "::1 localhost\n");                   // copy-up with new data
        File.SetUnixFileMode(at("etc/passwd"), (UnixFileMode)0b110_000_000);     // metadata-only copy-up
        Directory.Delete(at("usr/share/doc/a"), recursive: true);                // whiteout of a directory
        Directory.Delete(at("opt/app"), recursive: true);                        // replaced directory: opaque
        Directory.CreateDirectory(at("opt/app"));
        File.WriteAllText(at("opt/app/config"), "v2\n");
        File.Move(at("var/log/old.log"), at("var/log/new.log"));                 // rename: whiteout + copy-up
        Directory.CreateDirectory(at("srv/data"));
        for (var i = 0; i < 20; i++)
        {
            File.WriteAllText(at($"srv/data/item{i:00}"), new string((char)('a' + i), 100 * (i + 1)));
        }
    }

    private static void ChangeThirdLayer(Func<string, string> at)
    {
        File.Delete(at("etc/passwd"));                                           // whiteout of a file
        File.WriteAllText(at("usr/share/doc/a"), "a is a file now\n");           // file over a whiteout
        File.Delete(at("usr/bin/alias"));
        File.CreateSymbolicLink(at("usr/bin/alias"), "tool-hard");               // replaced symlink
        SystemTool.Check("ln", at("srv/data/item00"), at("srv/data/item00-link"));  // hard link in a copied-up dir
        File.SetUnixFileMode(at("srv/data"), (UnixFileMode)0b111_101_000);       // directory metadata
        SystemTool.Check("chown", "1234:5678", at("srv/data/item01"));
    }

    private static void ChangeUpper(Func<string, string> at)
    {
        File.Delete(at("srv/data/item05"));
        File.WriteAllText(at("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n"); // back after a whiteout below
        Directory.CreateDirectory(at("home/user/.cache"));
        var rng = new Random(42);
        var big = new byte[(5 * 1024 * 1024) + 123];                             // more than one compression block
        rng.NextBytes(big.AsSpan(0, big.Length / 2));
        File.WriteAllBytes(at("home/user/big.bin"), big);
        File.WriteAllText(at("opt/app/lib.so"), "lib v3\n");
        Directory.Delete(at("usr/share/doc/b"), recursive: true);
        File.SetLastWriteTimeUtc(at("etc/hosts"), new DateTime(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc));
    }
}
