using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli;

/// <summary>The options that name a snapshot: --upper/--lower (overlay) or --from/--to (two trees).</summary>
public static class SnapshotArguments
{
    public static readonly string[] ValueOptions = ["--upper", "--lower", "--from", "--to"];

    public static readonly string[] FlagOptions = ["--userxattr"];

    public static Snapshot Parse(CommandLine cl)
    {
        var upper = cl.Value("--upper");
        var from = cl.Value("--from");
        var to = cl.Value("--to");
        if (from is not null || to is not null)
        {
            if (upper is not null || cl.Value("--lower") is not null)
            {
                throw new UsageException("--from/--to and --upper/--lower are two different inputs: give one of them");
            }

            if (from is null || to is null)
            {
                throw new UsageException("--from and --to go together");
            }

            return Snapshot.OfTrees(from, to);
        }

        if (upper is null)
        {
            throw new UsageException("no snapshot given: --upper DIR [--lower Ltop:...:Lbottom], or --from DIR --to DIR");
        }

        var lowers = ParseLowers(cl.Value("--lower"));
        var overlay = cl.Has("--userxattr") ? OverlayOptions.ForUserXattr : OverlayOptions.Default;
        return Snapshot.OfOverlay(upper, lowers, overlay);
    }

    /// <summary>overlayfs order: the leftmost directory is the top layer. Empty parts are an error.</summary>
    public static IReadOnlyList<string> ParseLowers(string? value)
    {
        if (value is null)
        {
            return [];
        }

        var parts = value.Split(':');
        if (parts.Any(p => p.Length == 0))
        {
            throw new UsageException($"--lower '{value}': empty layer path (layers are separated by a single ':')");
        }

        return parts;
    }
}
