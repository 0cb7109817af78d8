using System.Text;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Vectors;
using Xunit;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>The non-default conventions: opaque markers, every xattr, and entries no tar can encode.</summary>
public sealed class ConventionOptionsTests
{
    [RootFact]
    public void Opaque_marker_mode_should_write_the_marker_and_still_round_trip()
    {
        using var v = new VectorCase("17-opaque-dir-trusted");
        var options = new LayerOptions { Differ = DifferKind.Overlay, Diff = new DiffOptions { OpaqueMarkers = true } };
        var tar = LayerTar.ToBytes(v.Snapshot, options);
        var names = Names(tar);

        var markers = names.Where(n => n.EndsWith("/.wh..wh..opq", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(markers);
        foreach (var marker in markers)
        {
            // The marker replaces the explicit whiteouts of that directory, and follows its directory entry.
            var dir = marker[..^".wh..wh..opq".Length];
            Assert.DoesNotContain(names, n => n.StartsWith(dir + ".wh.", StringComparison.Ordinal) && n != marker);
            Assert.Equal(names.IndexOf(dir) + 1, names.IndexOf(marker));
        }

        var dest = Path.Combine(v.Root, "applied");
        Directory.CreateDirectory(dest);
        LowerFlattener.Flatten(v.Layers.Lowers, v.Layers.Snapshot.MergedMountOptions, dest);
        LayerApplier.Apply(new MemoryStream(tar), dest, ApplyOptions.Default);
        var differences = TreeComparison.Compare(VectorMergedView.Load(v.Name).Entries, TreeSnapshot.Capture(dest));
        Assert.True(differences.Count == 0, TreeComparison.Format(differences));
    }

    [RootFact]
    public void Xattrs_all_should_carry_user_xattrs_but_never_the_overlays_own()
    {
        using var scratch = ScratchDirectory.Create("pd-xattrs-");
        var upper = Path.Combine(scratch.Path, "upper");
        Directory.CreateDirectory(upper);
        var file = Path.Combine(upper, "f");
        File.WriteAllText(file, "x");
        Assert.True(ExternalCommand.Run("setfattr", "-n", "user.foo", "-v", "bar", file).Succeeded, "setfattr user.foo");
        Assert.True(ExternalCommand.Run("setfattr", "-n", "trusted.overlay.origin", "-v", "0x00fb", file).Succeeded, "setfattr trusted.overlay.origin");
        Assert.True(ExternalCommand.Run("setfattr", "-n", "user.overlay.impure", "-v", "y", file).Succeeded, "setfattr user.overlay.impure");
        var snapshot = Snapshot.OfOverlay(upper, []);

        var all = Xattrs(LayerTar.ToBytes(snapshot, new LayerOptions { Diff = new DiffOptions { Xattrs = XattrPolicy.All } }), "f");
        var capabilityOnly = Xattrs(LayerTar.ToBytes(snapshot, LayerOptions.Default), "f");

        Assert.Equal(["user.foo"], all.Select(x => x.Key));
        Assert.Equal("bar"u8.ToArray(), all[0].Value);
        Assert.Empty(capabilityOnly);
    }

    [Fact]
    public void Device_number_that_no_tar_can_hold_should_fail_naming_the_entry()
    {
        var status = new FileStatus(FileKind.CharDevice, 0x1B6, 0, 0, 0, 0, 0, 1, 1, 1, 3_000_000, 1, 0);
        var change = new Change(ChangeKind.Add, "huge"u8.ToArray(), status, EmptyTree.Instance, null, []);
        using var output = new MemoryStream();
        var writer = new ChangeWriter(new TarStreamWriter(output, default), EmptyTree.Instance, ChangeWriterOptions.Default);

        var error = Assert.Throws<TarEncodingException>(() => writer.Handle(change));

        Assert.Contains("huge", error.Message, StringComparison.Ordinal);
        Assert.Contains("devmajor", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static List<string> Names(byte[] tar)
    {
        var reader = new TarReader(new MemoryStream(tar));
        var names = new List<string>();
        while (reader.Next() is { } entry)
        {
            names.Add(Encoding.UTF8.GetString(entry.Header.Name));
        }

        return names;
    }

    private static List<KeyValuePair<string, byte[]>> Xattrs(byte[] tar, string name)
    {
        var reader = new TarReader(new MemoryStream(tar));
        while (reader.Next() is { } entry)
        {
            if (Encoding.UTF8.GetString(entry.Header.Name) == name)
            {
                return [.. entry.Header.Xattrs];
            }
        }

        throw new InvalidOperationException($"{name} is not in the layer");
    }
}
