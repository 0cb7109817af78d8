using ParallelDiff.Core.Export;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli;

/// <summary>
/// The options that name a snapshot: --upper/--lower (overlay), --from/--to (two trees),
/// --mount-options, --mountpoint, --docker-layer or --mount-json. Exactly one form.
/// </summary>
public static class SnapshotArguments
{
    public static readonly string[] ValueOptions = ["--upper", "--lower", "--from", "--to", "--mount-options", "--mountpoint", "--docker-layer", "--mount-json"];

    public static readonly string[] FlagOptions = ["--userxattr"];

    /// <summary>The inputs part of a command's --help.</summary>
    public const string Help = """
        inputs (exactly one form)
          --upper DIR [--lower Ltop:...:Lbottom]
                               an upperdir over its lowerdirs, in overlayfs order (the leftmost lower
                               is the top layer); without --lower, a bottom-most snapshot
          --from DIR --to DIR  two plain trees, compared by the walking differ
          --mount-options OPTS an overlay's mount data, 'lowerdir=…,upperdir=…,workdir=…,…', read as
                               the kernel reads it ('\' escapes, '::' data-only layers, lowerdir+/datadir+,
                               last option wins, userxattr/metacopy/redirect_dir honoured)
          --mountpoint DIR     a live overlay mount; its options come from /proc/self/mountinfo
          --docker-layer DIR   a Docker overlay2 layer, ROOT/overlay2/ID: its diff/ over the lowers
                               its 'lower' file lists
          --mount-json FILE|-  containerd's mount JSON ([{"type":"overlay","source":"overlay",
                               "options":[…]}], or a bind mount for a bottom-most snapshot); - reads stdin
          --userxattr          with --upper or --docker-layer: the overlay used userxattr (overlay xattrs
                               are user.overlay.*; redirects and metacopy off, as the kernel forces)
          An option that cannot be honoured (index=on, no upperdir, a mount type other than overlay or
          bind) is an error. Options BuildKit would refuse (and walk instead) are fine: they are honoured.
        """;

    /// <summary>The snapshot source the options name.</summary>
    /// <exception cref="UsageException">No form, or more than one.</exception>
    public static SnapshotSource Source(CommandLine cl)
    {
        ArgumentNullException.ThrowIfNull(cl);
        var source = new SnapshotSource
        {
            Upper = cl.Value("--upper"),
            Lowers = cl.Value("--lower") is { } lower ? ParseLowers(lower) : null,
            From = cl.Value("--from"),
            To = cl.Value("--to"),
            MountOptions = cl.Value("--mount-options"),
            MountPoint = cl.Value("--mountpoint"),
            DockerLayer = cl.Value("--docker-layer"),
            MountJsonPath = cl.Value("--mount-json"),
            UserXattr = cl.Has("--userxattr"),
        };
        return source.Conflict() is { } conflict ? throw new UsageException(conflict) : source;
    }

    /// <summary>The snapshot the options name, read from its source (stdin for --mount-json -).</summary>
    /// <exception cref="UsageException">No form, or more than one.</exception>
    /// <exception cref="SnapshotException">The source cannot be read, or names a mount this tool cannot diff.</exception>
    public static Snapshot Parse(CommandLine cl) => Source(cl).Resolve(() => Console.In.ReadToEnd());

    /// <summary>overlayfs order: the leftmost directory is the top layer. Empty parts are an error.</summary>
    public static IReadOnlyList<string> ParseLowers(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var parts = value.Split(':');
        if (parts.Any(p => p.Length == 0))
        {
            throw new UsageException($"--lower '{value}': empty layer path (layers are separated by a single ':')");
        }

        return parts;
    }
}
