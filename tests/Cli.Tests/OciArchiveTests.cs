using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// --oci-archive: the layout as one tar that readers no one here wrote take (skopeo's oci-archive:,
/// containerd's ctr images import); without --oci-layout no layout is left beside it.
/// </summary>
public sealed class OciArchiveTests : IDisposable
{
    private const string Name = "docker.io/library/paralleldiff-archive:v1";
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [RootWithToolsFact("skopeo")]
    public void Diff_archive_should_hold_the_layouts_image_and_leave_no_layout_behind()
    {
        var archive = Path.Combine(_tree.Output, "image.tar");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-archive", archive, "--tag", Name, "--created", "none");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(["image.tar"], Directory.GetFileSystemEntries(_tree.Output).Select(Path.GetFileName));

        var layout = Path.Combine(_tree.Root, "layout");
        Assert.Equal(0, CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-layout", layout, "--tag", Name, "--created", "none").ExitCode);
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString();
        using var inspected = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", $"oci-archive:{archive}:{Name}"));
        Assert.Equal(manifest, inspected.RootElement.GetProperty("Digest").GetString());

        // The same layout gives the same archive.
        var again = Path.Combine(_tree.Root, "again.tar");
        Assert.Equal(0, CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-archive", again, "--tag", Name, "--created", "none").ExitCode);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(again));
    }

    [RootWithToolsFact("containerd", "ctr")]
    public void Image_archive_should_be_imported_by_containerd_under_its_name()
    {
        var archive = Path.Combine(_tree.Output, "stack.tar");
        var result = CliRunner.Run("image", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-archive", archive, "--tag", Name, "--created", "none");
        Assert.True(result.ExitCode == 0, result.StdErr);

        using var containerd = ContainerdDaemon.Start();
        containerd.CheckCtr("images", "import", archive);
        Assert.Contains(Name, containerd.CheckCtr("images", "ls", "-q"), StringComparison.Ordinal);
    }

    [Fact]
    public void Archive_without_a_tag_should_be_a_usage_error()
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--oci-archive", Path.Combine(_tree.Output, "a.tar"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--oci-archive needs --tag", result.StdErr, StringComparison.Ordinal);
    }
}
