using System.Text.Json;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Real clients as the oracle for 'paralleldiff image': an image of a kernel-made stack (three
/// layers and a container's upper) is inspected and copied by skopeo, unpacked by umoci, imported
/// and mounted by a containerd of the test's own; what umoci and containerd unpack must equal the
/// kernel's merged view of the same stack.
/// </summary>
public sealed class ImageClientTests : IDisposable
{
    private const string Tag = "stack-v1";
    private readonly KernelMadeLayers _stack;
    private readonly string _layout;
    private readonly JsonDocument _report;
    private readonly IReadOnlyList<TreeEntry> _merged;

    public ImageClientTests()
    {
        if (!Privileges.IsRoot)
        {
            // Every fact here is skipped then; build nothing.
            _stack = null!;
            _layout = string.Empty;
            _report = JsonDocument.Parse("{}");
            _merged = [];
            return;
        }

        _stack = new KernelMadeLayers();
        _layout = _stack.At("layout");
        var result = CliRunner.Run("image", "--upper", _stack.U, "--lower", _stack.Lowers, "--oci-layout", _layout, "--tag", Tag, "--report", _stack.At("report.json"));
        Assert.True(result.ExitCode == 0, result.StdErr);
        _report = JsonDocument.Parse(File.ReadAllText(_stack.At("report.json")));
        _merged = _stack.Merged();
    }

    public void Dispose()
    {
        _report.Dispose();
        _stack?.Dispose();
    }

    private List<string> Field(string name) =>
        _report.RootElement.GetProperty("snapshots").EnumerateArray().OrderBy(s => s.GetProperty("id").GetString(), StringComparer.Ordinal)
            .Select(s => name == "digest" ? s.GetProperty("descriptor").GetProperty("digest").GetString()! : s.GetProperty(name).GetString()!).ToList();

    [RootWithToolsFact]
    public void The_oracle_should_show_what_each_layer_did()
    {
        var paths = _merged.Select(e => System.Text.Encoding.UTF8.GetString(e.Path)).ToHashSet();
        Assert.Contains("home/user/big.bin", paths);                 // U
        Assert.Contains("etc/passwd", paths);                        // deleted in L3, back in U
        Assert.Contains("srv/data/item00-link", paths);              // L3's hard link
        Assert.Contains("var/log/new.log", paths);                   // L2's rename
        Assert.DoesNotContain("var/log/old.log", paths);
        Assert.DoesNotContain("opt/app/lib/core.so", paths);         // hidden by L2's opaque directory
        Assert.DoesNotContain("usr/share/doc/b/README", paths);      // U's whiteout
        Assert.DoesNotContain("srv/data/item05", paths);
        Assert.Equal(4, Field("diffID").Distinct().Count());
    }

    [RootWithToolsFact("skopeo")]
    public void Skopeo_should_list_the_four_layers_bottom_first_with_their_diffIDs_and_copy_every_blob()
    {
        using (var inspect = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", $"oci:{_layout}:{Tag}")))
        {
            Assert.Equal(Field("digest"), inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!));
        }

        using (var config = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--config", $"oci:{_layout}:{Tag}")))
        {
            Assert.Equal(Field("diffID"), config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!));
        }

        // A copy reads every blob back and checks its digest and size.
        SystemTool.Check("skopeo", "copy", "--quiet", $"oci:{_layout}:{Tag}", $"oci:{_stack.At("copy")}:{Tag}");
    }

    [RootWithToolsFact]
    public void Each_layer_should_be_the_layer_diff_writes_for_that_snapshot_alone()
    {
        string[][] snapshots = [["--upper", _stack.L1], ["--upper", _stack.L2, "--lower", _stack.L1],
            ["--upper", _stack.L3, "--lower", $"{_stack.L2}:{_stack.L1}"], ["--upper", _stack.U, "--lower", _stack.Lowers]];
        var diffIds = snapshots.Select((args, i) =>
        {
            var result = CliRunner.Run(["diff", .. args, "-o", _stack.At($"single-{i}")]);
            Assert.True(result.ExitCode == 0, result.StdErr);
            using var descriptor = JsonDocument.Parse(result.StdOut);
            return descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString()!;
        });
        Assert.Equal(Field("diffID"), diffIds);
    }

    [RootWithToolsFact("umoci")]
    public void Umoci_should_unpack_the_kernels_merged_view()
    {
        var bundle = _stack.At("bundle");
        SystemTool.Check("umoci", "unpack", "--image", $"{_layout}:{Tag}", bundle);
        var unpacked = TreeSnapshot.Capture(Path.Combine(bundle, "rootfs"));
        var differences = TreeComparison.Compare(_merged, unpacked, TreeComparisonOptions.LayerExpressible);
        Assert.True(differences.Count == 0, TreeComparison.Format(differences));
    }

    [RootWithToolsFact("containerd", "ctr", "tar")]
    public void Containerd_should_import_and_mount_the_kernels_merged_view()
    {
        // ctr imports an OCI layout as a tar of its directory; the ref name becomes NAME:TAG under --base-name.
        var archive = _stack.At("layout.tar");
        SystemTool.Check("tar", "-C", _layout, "-cf", archive, ".");
        using var containerd = ContainerdDaemon.Start();
        var image = "example.com/paralleldiff/stack:" + Tag;
        containerd.CheckCtr("images", "import", "--base-name", "example.com/paralleldiff/stack", archive);
        Assert.Contains(image, containerd.CheckCtr("images", "ls", "-q"), StringComparison.Ordinal);

        // images mount unpacks into the overlayfs snapshotter (if import did not) and mounts a read-only view.
        var target = Path.Combine(containerd.Home, "rootfs");
        Directory.CreateDirectory(target);
        containerd.CheckCtr("images", "mount", image, target);
        IReadOnlyList<TreeEntry> unpacked;
        try
        {
            unpacked = TreeSnapshot.Capture(target);
        }
        finally
        {
            containerd.CheckCtr("images", "unmount", "--rm", target);
        }

        var differences = TreeComparison.Compare(_merged, unpacked, TreeComparisonOptions.LayerExpressible);
        Assert.True(differences.Count == 0, TreeComparison.Format(differences));
    }
}
