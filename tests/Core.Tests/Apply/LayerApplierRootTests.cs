using System.Text;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;
using Xunit;
using static ParallelDiff.Core.Tests.Apply.TestTar;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>What only root may do: device nodes, ownership, security.* and trusted.* xattrs.</summary>
public sealed class LayerApplierRootTests : ApplyFixture
{
    private static readonly byte[] CapNetRaw = [1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [RootFact]
    public void Apply_should_create_char_and_block_devices()
    {
        Apply(new TestTar()
            .Add(new TestEntry(B("dev/null2"), TarEntryType.CharDevice) { Mode = Oct("666"), DevMajor = 1, DevMinor = 3 })
            .Add(new TestEntry(B("dev/loop9"), TarEntryType.BlockDevice) { Mode = Oct("660"), Gid = 6, DevMajor = 7, DevMinor = 9 })
            .Add(new TestEntry(B("dev/maxnum"), TarEntryType.CharDevice) { Mode = Oct("600"), DevMajor = 4095, DevMinor = 1_048_575 }));
        var null2 = Lstat("dev/null2");
        Assert.Equal(FileKind.CharDevice, null2.Kind);
        Assert.Equal((1u, 3u), (null2.RdevMajor, null2.RdevMinor));
        Assert.Equal(Oct("666"), null2.Mode);
        var loop = Lstat("dev/loop9");
        Assert.Equal(FileKind.BlockDevice, loop.Kind);
        Assert.Equal((7u, 9u, 6L), (loop.RdevMajor, loop.RdevMinor, loop.Gid));
        var max = Lstat("dev/maxnum");
        Assert.Equal((4095u, 1_048_575u), (max.RdevMajor, max.RdevMinor));
    }

    [RootFact]
    public void Apply_should_skip_devices_when_asked()
    {
        var result = LayerApplier.Apply(
            new TestTar().Add(new TestEntry(B("dev/null"), TarEntryType.CharDevice) { DevMajor = 1, DevMinor = 3 }).ToStream(),
            Dest,
            new ApplyOptions { SkipDeviceNodes = true });
        Assert.Equal(1, result.EntriesIgnored);
        Assert.Empty(Tree());
    }

    [RootFact]
    public void Apply_should_set_owners_and_keep_setuid_after_chown()
    {
        Apply(new TestTar()
            .Add(new TestEntry(B("big"), TarEntryType.Regular) { Uid = 4_294_967_294, Gid = 5_000_000, Data = B("x") })
            .Add(new TestEntry(B("suid"), TarEntryType.Regular) { Uid = 1000, Gid = 1000, Mode = Oct("6755") })
            .Add(new TestEntry(B("sym"), TarEntryType.Symlink) { Uid = 42, Gid = 43, LinkName = B("suid") }));
        Assert.Equal((4_294_967_294L, 5_000_000L), (Lstat("big").Uid, Lstat("big").Gid));
        Assert.Equal((1000L, 1000L, Oct("6755")), (Lstat("suid").Uid, Lstat("suid").Gid, Lstat("suid").Mode));
        Assert.Equal((42L, 43L), (Lstat("sym").Uid, Lstat("sym").Gid));
        Assert.Equal(1000L, Lstat("suid").Uid);
    }

    [RootFact]
    public void Apply_should_set_a_capability_after_the_chown_that_would_clear_it()
    {
        Apply(new TestTar().Add(new TestEntry(B("bin/ping"), TarEntryType.Regular)
        {
            Uid = 0,
            Mode = Oct("755"),
            Data = B("ping"),
            Xattrs = [new("security.capability", CapNetRaw)],
        }));
        Assert.Equal(CapNetRaw, LinuxFileSystem.Instance.GetXattr(B(At("bin/ping")), "security.capability"));
    }

    [RootFact]
    public void Apply_should_refuse_trusted_xattrs_with_a_warning()
    {
        var result = Apply(new TestTar().Add(new TestEntry(B("d/"), TarEntryType.Directory)
        {
            Mode = Oct("755"),
            Xattrs = [new("trusted.overlay.opaque", B("y")), new("user.note", B("kept"))],
        }));
        Assert.Null(LinuxFileSystem.Instance.GetXattr(B(At("d")), "trusted.overlay.opaque"));
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("trusted.overlay.opaque", warning, StringComparison.Ordinal);
        var note = LinuxFileSystem.Instance.GetXattr(B(At("d")), "user.note");
        Assert.True(note is null || Encoding.UTF8.GetString(note) == "kept");
    }

    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Apply_should_apply_every_vector_layer_onto_an_empty_tree(string vector)
    {
        var tar = VectorData.ExpectedTar(vector, "overlay") ?? VectorData.ExpectedTar(vector, "walking");
        if (tar is null)
        {
            return;
        }

        var result = Apply(tar);
        var reader = new TarReader(new MemoryStream(tar));
        var count = 0;
        while (reader.Next() is { } entry)
        {
            count++;
            if (!entry.Header.Name.AsSpan().StartsWith(".wh."u8) && entry.Header.Name.AsSpan().IndexOf("/.wh."u8) < 0)
            {
                var name = entry.Header.Name.AsSpan().TrimEnd((byte)'/').ToArray();
                var status = Lstat(name);
                if (entry.Header.Type == TarEntryType.Regular)
                {
                    Assert.Equal(entry.Header.Size, status.Size);
                }
            }
        }

        Assert.Equal(count, result.EntriesApplied + result.EntriesIgnored);
        AssertOutsideUntouched();
    }
}
