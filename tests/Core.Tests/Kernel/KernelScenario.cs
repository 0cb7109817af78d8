using System.Globalization;
using System.Text;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// One seeded scenario with the kernel as the oracle: a random stack of 1–3 lower layers (each
/// written on disk, or recorded by the kernel as the upper of random operations over the layers
/// below), random operations through a read-write overlay on top, then the truth: the stack
/// mounted read-only with the upper as its top layer. <see cref="Check"/> exports our layer from
/// the same directories, applies it onto the flattened lowers and compares with the truth.
/// </summary>
internal sealed class KernelScenario : IDisposable
{
    private readonly ScratchDirectory _scratch;
    private readonly StringBuilder _story = new();
    private readonly List<string> _lowersTopFirst = [];
    private IReadOnlyList<TreeEntry> _truth = [];
    private SortedDictionary<string, SortedDictionary<string, byte[]>> _truthXattrs = [];

    private KernelScenario(KernelMode mode, int seed, bool withXattrs)
    {
        Mode = mode;
        Seed = seed;
        WithXattrs = withXattrs;
        _scratch = ScratchDirectory.Create("pd-kernel-");
        Upper = Path.Combine(_scratch.Path, "upper");
    }

    public KernelMode Mode { get; }

    public int Seed { get; }

    /// <summary>Lower layers carry user.* xattrs and the operations set, change, empty and remove them.</summary>
    public bool WithXattrs { get; }

    public string Upper { get; }

    /// <summary>How the stack was built and every operation with its outcome: with the seed, enough to replay it.</summary>
    public string Story => _story.ToString();

    /// <summary>Builds the stack, runs the operations and captures the truth; the scratch directory is removed on failure.</summary>
    public static KernelScenario Run(KernelMode mode, int seed, bool withXattrs = false)
    {
        var scenario = new KernelScenario(mode, seed, withXattrs);
        try
        {
            scenario.Build();
            return scenario;
        }
        catch (Exception e)
        {
            var story = scenario.Story;
            scenario.Dispose();
            throw new InvalidOperationException($"mode {mode}, seed {seed}: building the scenario failed\n{story}", e);
        }
    }

    private void Build()
    {
        var rng = new Random(Seed);
        _story.Append(CultureInfo.InvariantCulture, $"mode {Mode}, seed {Seed}{(WithXattrs ? ", with xattrs" : "")}\n");
        var layerCount = rng.Next(1, 4);
        for (var i = 0; i < layerCount; i++)
        {
            var layer = Path.Combine(_scratch.Path, "layer" + i.ToString(CultureInfo.InvariantCulture));
            if (i == 0 || rng.Next(2) == 0)
            {
                _story.Append(CultureInfo.InvariantCulture, $"lower layer{i}, written on disk:\n");
                Append(RandomLayer.Build(layer, rng, withOverlayMarkers: i > 0, KernelModes.OpaqueXattr(Mode)));
                if (WithXattrs)
                {
                    Append(RandomOperations.DecorateLayer(layer, rng));
                }
            }
            else
            {
                _story.Append(CultureInfo.InvariantCulture, $"lower layer{i}, the upper of operations over the layers below:\n");
                Append(Operate(layer, "layer" + i.ToString(CultureInfo.InvariantCulture), rng, rng.Next(4, 16)));
            }

            _lowersTopFirst.Insert(0, layer);
        }

        _story.Append("operations through the snapshot's overlay:\n");
        Append(Operate(Upper, "upper", rng, rng.Next(8, 40)));

        using var truth = OverlayMount.ReadOnly([Upper, .. _lowersTopFirst], KernelModes.ReadOnlyOptions(Mode));
        _truth = TreeSnapshot.Capture(truth.MountPoint);
        _truthXattrs = WithXattrs ? UserXattrListing.Capture(truth.MountPoint) : [];
        SaveStory();
    }

    /// <summary>
    /// PD_KERNEL_STORIES=DIR: every scenario's story and upper, passing ones too, so that a soak
    /// shows what it covered (how many redirects, metacopy files, EXDEV fallbacks, refused operations).
    /// </summary>
    private void SaveStory()
    {
        if (Environment.GetEnvironmentVariable("PD_KERNEL_STORIES") is { Length: > 0 } dir)
        {
            File.WriteAllText(Path.Combine(dir, $"{Mode}-{Seed}.txt"), Story + "upper on disk:\n" + ScenarioListings.Directory(Upper));
        }
    }

    /// <summary>Mounts the current lowers read-write with <paramref name="upper"/>, runs the operations, unmounts.</summary>
    private List<string> Operate(string upper, string name, Random rng, int count)
    {
        var mountPoint = Path.Combine(_scratch.Path, name + "-merged");
        using var overlay = ReadWriteOverlay.Mount(
            _lowersTopFirst, upper, Path.Combine(_scratch.Path, name + "-work"), mountPoint, KernelModes.ReadWriteOptions(Mode));
        var operations = new RandomOperations(overlay.MountPoint, rng) { WithXattrs = WithXattrs };
        operations.Run(count);
        return operations.Log;
    }

    private void Append(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            _story.Append("  ").Append(line).Append('\n');
        }
    }

    /// <summary>
    /// Exports the layer with <paramref name="differ"/> (exact: random rewrites keep size and mtime,
    /// which the nanosecond rule may legitimately miss), applies it onto the flattened lowers and
    /// compares with the kernel's view. Returns null when they are equal, else the whole report.
    /// </summary>
    /// <summary>The snapshot the kernel left: the upper over the lowers, with the mode's overlay options.</summary>
    public Snapshot Snapshot => Snapshot.OfOverlay(Upper, _lowersTopFirst, KernelModes.Overlay(Mode));

    public string? Check(DifferKind differ) => Check(differ, XattrPolicy.Capability);

    /// <summary>As <see cref="Check(DifferKind)"/>; with <see cref="XattrPolicy.All"/> the user.* xattrs must match the kernel's too.</summary>
    public string? Check(DifferKind differ, XattrPolicy xattrs)
    {
        var dest = Path.Combine(_scratch.Path, "applied-" + differ.ToString().ToLowerInvariant());
        byte[] tar = [];
        try
        {
            tar = LayerTar.ToBytes(Snapshot, new LayerOptions { Differ = differ, Diff = new DiffOptions { Exact = true, Xattrs = xattrs } });
            LowerStackCopy.Flatten(_lowersTopFirst, KernelModes.ReadOnlyOptions(Mode), dest);
            LayerApplier.Apply(new MemoryStream(tar), dest, new ApplyOptions { ExactTimes = true });

            // Sockets cannot travel in a layer (none are made; the rule is the README's all the same).
            var differences = TreeComparison.Compare(_truth, TreeSnapshot.Capture(dest), TreeComparisonOptions.Default with { IgnoreSockets = true });
            var xattrDifferences = xattrs == XattrPolicy.All ? UserXattrListing.Compare(_truthXattrs, UserXattrListing.Capture(dest), tar, dest) : [];
            if (differences.Count == 0 && xattrDifferences.Count == 0)
            {
                return null;
            }

            return Report(differ, TreeComparison.Format(differences) + string.Join("\n", xattrDifferences), tar);
        }
        catch (Exception e) when (e is IOException or SnapshotException)
        {
            // A differ that refuses the snapshot, or an applier that refuses the layer, is a failure with the same story.
            return Report(differ, "export or apply failed: " + e, tar);
        }
    }

    private string Report(DifferKind differ, string problem, byte[] tar)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{differ} differ, mode {Mode}, seed {Seed}: {problem}\n");
        text.Append(Story);
        text.Append("our layer:\n").Append(ScenarioListings.Tar(tar));
        text.Append("upper on disk:\n").Append(ScenarioListings.Directory(Upper));
        foreach (var lower in _lowersTopFirst)
        {
            text.Append(Path.GetFileName(lower)).Append(" on disk:\n").Append(ScenarioListings.Directory(lower));
        }

        return text.ToString();
    }

    public void Dispose() => _scratch.Dispose();
}
