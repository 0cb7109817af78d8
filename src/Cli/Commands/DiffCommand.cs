using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff diff: one snapshot → one layer blob, descriptor on stdout.</summary>
public static class DiffCommand
{
    public const string Help = """
        usage: paralleldiff diff --upper U [--lower Ltop:...:Lbottom] -o OUT [options]
               paralleldiff diff --from DIR --to DIR -o OUT [options]

        Writes the OCI layer of an overlay snapshot (an upperdir over its lowerdirs) to OUT and
        prints its descriptor as one JSON line on stdout:
          {"mediaType":…,"digest":"sha256:…","size":N,"annotations":{"containerd.io/uncompressed":"sha256:…"}}
        The uncompressed tar is byte-identical to BuildKit's overlay differ wherever BuildKit works.

        inputs
          --upper DIR          the upperdir (a bottom-most snapshot when --lower is not given)
          --lower L1:L2:...    the lowerdirs in overlayfs order: the leftmost is the top layer
          --from DIR --to DIR  diff two plain trees with the walking differ instead
          --userxattr          the mount used userxattr: overlay xattrs are user.overlay.*
                               (redirects and metacopy are then off, as the kernel forces)
        output
          -o, --output OUT     the blob; written to a temp file beside OUT, fsynced and renamed,
                               so OUT is complete or absent
          --compression KIND   none|gzip|zstd|lz4 (default gzip; lz4 gets a custom media type)
          --level N            compression level (defaults in hocon/paralleldiff.conf: gzip 6, zstd 3)
        semantics
          --differ KIND        auto (default): the overlay differ, falling back to the walking differ
                               with a warning that names the reason; overlay: fail instead of falling
                               back; walking: compare the merged lower and upper views in full
          --exact              compare content whenever metadata is equal (BuildKit's nanosecond rule
                               skips files rewritten with the same size and mtime)
          --opaque MODE        explicit (default): a whiteout per hidden name, as BuildKit;
                               marker: .wh..wh..opq, as docker and containers/storage
          --xattrs WHICH       capability (default): only security.capability, as containerd;
                               all: every xattr except the overlay's private ones
          --source-date-epoch N  clamp mtimes later than N to N (also $SOURCE_DATE_EPOCH)
          --config FILE        HOCON settings over hocon/paralleldiff.conf (also $PARALLELDIFF_CONFIG)

        exit codes
          0 written; 1 failed (the message names the path and the cause; nothing left at OUT);
          2 bad command line; 130 interrupted
        """;

    private static readonly HashSet<string> Values =
        [.. SnapshotArguments.ValueOptions, .. LayerArguments.ValueOptions, "-o", "--output", "--config"];

    private static readonly HashSet<string> Flags = [.. SnapshotArguments.FlagOptions, .. LayerArguments.FlagOptions];

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.Parse(args, Values, Flags);
        if (cl.Positional.Count > 0)
        {
            throw new UsageException($"diff takes no positional arguments (got '{cl.Positional[0]}')");
        }

        var output = cl.Value("-o", "--output") ?? throw new UsageException("diff needs -o OUT");
        var settings = Settings.Load(cl.Value("--config"));
        var snapshot = SnapshotArguments.Parse(cl);
        var options = LayerArguments.Parse(cl);
        var compression = LayerArguments.Compression(cl, settings);

        var result = SequentialLayerExporter.Export(snapshot, options, compression, output, Console.Error.WriteLine, cancellationToken);
        Console.Out.WriteLine(result.Descriptor.ToJson());
        return ExitCodes.Success;
    }
}
