using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Where a snapshot comes from, in any of the shapes users hold them: explicit directories
/// (upper over lowers, or two trees), an overlay's mount options, a live overlay mount, a Docker
/// overlay2 layer directory, or containerd's mount JSON. Exactly one shape names a snapshot; the
/// CLI and job files both fill this record, so both accept and refuse the same combinations.
/// </summary>
public sealed record SnapshotSource
{
    /// <summary>The name that stands for standard input in <see cref="MountJsonPath"/>.</summary>
    public const string StandardInput = "-";

    public string? Upper { get; init; }

    /// <summary>The lowerdirs, top first (overlayfs order).</summary>
    public IReadOnlyList<string>? Lowers { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    /// <summary>A mount(2) data string, "lowerdir=…,upperdir=…,workdir=…,…", read as the kernel reads it.</summary>
    public string? MountOptions { get; init; }

    /// <summary>A live overlay mount; its options come from /proc/self/mountinfo.</summary>
    public string? MountPoint { get; init; }

    /// <summary>ROOT/overlay2/ID of Docker's overlay2 graph driver.</summary>
    public string? DockerLayer { get; init; }

    /// <summary>A file holding containerd's mount JSON, or "-" for standard input.</summary>
    public string? MountJsonPath { get; init; }

    /// <summary>containerd's mount JSON itself (a job file may carry it inline).</summary>
    public string? MountJson { get; init; }

    /// <summary>The upper and lowers (or the overlay2 layer) were mounted with userxattr.</summary>
    public bool UserXattr { get; init; }

    // The shapes a source can take, by their CLI names: bit i of Shapes() stands for FormNames[i].
    private static readonly string[] FormNames = ["--upper/--lower", "--from/--to", "--mount-options", "--mountpoint", "--docker-layer", "--mount-json"];

    /// <summary>The shapes this source uses, by their CLI names, for messages.</summary>
    public IReadOnlyList<string> Forms()
    {
        var shapes = Shapes();
        return [.. FormNames.Where((_, i) => (shapes & (1 << i)) != 0)];
    }

    /// <summary>
    /// The shapes this source uses as bits (see <see cref="FormNames"/>): counted without a list,
    /// as <see cref="Resolve"/> asks for every job of a bulk export, more than once.
    /// </summary>
    private int Shapes() =>
        (Upper is not null || Lowers is not null ? 1 : 0)
        | (From is not null || To is not null ? 2 : 0)
        | (MountOptions is not null ? 4 : 0)
        | (MountPoint is not null ? 8 : 0)
        | (DockerLayer is not null ? 16 : 0)
        | (MountJsonPath is not null || MountJson is not null ? 32 : 0);

    /// <summary>
    /// The paths this source names, as given (absolute in a job file), without reading any: the
    /// upper, lowers, trees, mountpoint, overlay2 layer, mount file and the mount options'
    /// upperdir, lowerdir and workdir. A cluster export gives a job to a node whose roots hold
    /// them all; inline mounts name none here.
    /// </summary>
    public IReadOnlyList<string> Paths()
    {
        var paths = new List<string>();
        paths.AddRange(new[] { Upper, From, To, MountPoint, DockerLayer, MountJsonPath }.OfType<string>());
        paths.AddRange(Lowers ?? []);
        foreach (var option in (MountOptions ?? string.Empty).Split(','))
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && option[..equals] is "upperdir" or "lowerdir" or "workdir")
            {
                // lowerdir=L1:L2 (a "::" data-only separator leaves empty parts).
                paths.AddRange(option[(equals + 1)..].Split(':', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return paths;
    }

    /// <summary>Null when the source names exactly one snapshot; otherwise what is wrong, in a sentence.</summary>
    public string? Conflict()
    {
        var shapes = System.Numerics.BitOperations.PopCount((uint)Shapes());
        if (shapes == 0)
        {
            return "no snapshot given: one of --upper DIR [--lower Ltop:...:Lbottom], --from DIR --to DIR, --mount-options OPTS, "
                + "--mountpoint DIR, --docker-layer DIR, --mount-json FILE|-";
        }

        if (shapes > 1)
        {
            return $"{string.Join(" and ", Forms())} are different inputs: give one of them";
        }

        if (Lowers is not null && Upper is null)
        {
            return "--lower needs --upper (the layer being exported)";
        }

        if ((From is null) != (To is null))
        {
            return "--from and --to go together";
        }

        if (MountJsonPath is not null && MountJson is not null)
        {
            return "a mount JSON file and inline mounts are two inputs: give one";
        }

        // Mount options, mountinfo and containerd's mounts say userxattr themselves; a second,
        // possibly contradicting, switch would be a guess about which one is right.
        if (UserXattr && Upper is null && DockerLayer is null)
        {
            return $"--userxattr applies to --upper/--lower and --docker-layer; {Forms()[0]} says whether the mount used userxattr";
        }

        return null;
    }

    /// <summary>
    /// The snapshot this source names, with overlay options applied as the kernel would read them.
    /// An option this tool cannot honour (index=on, no upperdir, a mount type other than overlay or
    /// bind) is an error here, never a silent guess.
    /// </summary>
    /// <param name="readStandardInput">Reads all of standard input, for "--mount-json -".</param>
    /// <exception cref="InvalidOperationException">The source is not exactly one shape (see <see cref="Conflict"/>).</exception>
    /// <exception cref="SnapshotException">The source cannot be read or diffed; the message names it and why.</exception>
    public Snapshot Resolve(Func<string>? readStandardInput = null)
    {
        if (Conflict() is { } conflict)
        {
            throw new InvalidOperationException(conflict);
        }

        var overlay = UserXattr ? OverlayOptions.ForUserXattr : OverlayOptions.Default;
        if (Upper is not null)
        {
            return Snapshot.OfOverlay(Upper, Lowers ?? [], overlay);
        }

        if (To is not null)
        {
            return Snapshot.OfTrees(From!, To);
        }

        if (MountOptions is not null)
        {
            // The defaults of the running module, as if the kernel here were asked to mount them.
            return Named("--mount-options", () => OverlayMountOptions.Parse(MountOptions, OverlayModuleDefaults.FromSysfs()).ToSnapshot());
        }

        if (MountPoint is not null)
        {
            return MountInfo.Load(MountPoint);
        }

        if (DockerLayer is not null)
        {
            return DockerOverlay2Layer.Load(DockerLayer, overlay);
        }

        if (MountJson is not null)
        {
            return ContainerdMount.Load(MountJson, "mounts", OverlayModuleDefaults.FromSysfs());
        }

        var (json, origin) = MountJsonPath == StandardInput
            ? (readStandardInput?.Invoke() ?? throw new SnapshotException("--mount-json -: no standard input to read"), "--mount-json (standard input)")
            : (ReadFile(MountJsonPath!), MountJsonPath!);
        return ContainerdMount.Load(json, origin, OverlayModuleDefaults.FromSysfs());
    }

    /// <summary>One line that says where the snapshot came from, for reports.</summary>
    public string Describe() => this switch
    {
        { Upper: { } upper } => Lowers is { Count: > 0 } lowers ? $"upper={upper} lower={string.Join(':', lowers)}" : $"upper={upper}",
        { To: { } to } => $"from={From} to={to}",
        { MountOptions: { } options } => $"mount-options={options}",
        { MountPoint: { } mountPoint } => $"mountpoint={mountPoint}",
        { DockerLayer: { } layer } => $"docker-layer={layer}",
        { MountJsonPath: { } path } => $"mount-json={path}",
        _ => "mounts (inline)",
    };

    private static Snapshot Named(string origin, Func<Snapshot> resolve)
    {
        try
        {
            return resolve();
        }
        catch (SnapshotException e)
        {
            throw new SnapshotException($"{origin}: {e.Message}", e);
        }
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotException($"--mount-json {path}: {e.Message}", e);
        }
    }
}
