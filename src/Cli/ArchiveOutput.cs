using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli;

/// <summary>
/// --oci-archive FILE.tar: the layout written as one tar file at the end of the command (what
/// `ctr images import` and `skopeo copy oci-archive:` take). Without --oci-layout the layout is
/// made in a hidden folder beside FILE and removed afterwards, whatever the outcome.
/// </summary>
public sealed class ArchiveOutput : IDisposable
{
    private readonly bool _temporary;

    private ArchiveOutput(string archive, string layoutDir, bool temporary)
    {
        Archive = archive;
        LayoutDir = layoutDir;
        _temporary = temporary;
    }

    public string Archive { get; }

    /// <summary>The layout the command writes into: the user's, or the temporary one.</summary>
    public string LayoutDir { get; }

    /// <summary>The archive of --oci-archive, or null; checked like every output, before any work.</summary>
    public static ArchiveOutput? Plan(CommandLine cl, string? layoutDir, SnapshotDirectories snapshotDirectories)
    {
        ArgumentNullException.ThrowIfNull(cl);
        if (cl.Value("--oci-archive") is not { } archive)
        {
            return null;
        }

        OutputPaths.CheckFile("--oci-archive", archive, snapshotDirectories);
        if (layoutDir is not null)
        {
            return new ArchiveOutput(archive, layoutDir, temporary: false);
        }

        var full = Path.GetFullPath(archive);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.layout-{Environment.ProcessId}");
        return new ArchiveOutput(archive, temporary, temporary: true);
    }

    public void Write(CancellationToken cancellationToken) => OciArchive.Write(OciLayout.Open(LayoutDir), Archive, cancellationToken);

    public void Dispose()
    {
        if (_temporary && Directory.Exists(LayoutDir))
        {
            Directory.Delete(LayoutDir, recursive: true);
        }
    }
}
