using ParallelDiff.Actors;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Samples.ExportWorker;

/// <summary>One job of the file, planned: its snapshot, how to write its layer, and where.</summary>
internal sealed record WorkerJob(string Id, SnapshotSource Source, ExportOptions Options, string DescriptorPath)
{
    /// <summary>
    /// Reads the job file with the CLI's own reader and plans every job before any runs, so a typo
    /// in the last job stops the run before the first layer is written.
    /// </summary>
    /// <exception cref="JobListException">The file or a job is wrong, or a job asks for what only the CLI does.</exception>
    public static IReadOnlyList<WorkerJob> Load(string jobsPath, string outputDirectory)
    {
        var output = Path.GetFullPath(outputDirectory);
        return ExportJobList.Load(jobsPath).Select(job => Plan(job, output)).ToList();
    }

    private static WorkerJob Plan(ExportJob job, string outputDirectory)
    {
        if (job.Push is not null || job.Base is not null || job.Image is not null || job.LowerLayers)
        {
            throw new JobListException(
                $"job \"{job.Id}\": this worker writes one layer blob per job; \"push\", \"base\", \"lower-layers\" and image settings are 'paralleldiff export's");
        }

        var kind = LayerCompression.Gzip;
        if (job.Compression is { } name && !LayerCompressions.TryParse(name, out kind))
        {
            throw new JobListException($"job \"{job.Id}\": \"compression\": '{name}' is not one of {string.Join(", ", LayerCompressions.Names)}");
        }

        var level = job.Level ?? kind.DefaultLevel();
        if (level < kind.MinLevel() || level > kind.MaxLevel())
        {
            throw new JobListException($"job \"{job.Id}\": \"level\": {kind.ToName()} levels are {kind.MinLevel()} to {kind.MaxLevel()}");
        }

        var differ = job.Differ switch
        {
            null or "auto" => DifferKind.Auto,
            "overlay" => DifferKind.Overlay,
            "walking" => DifferKind.Walking,
            var other => throw new JobListException($"job \"{job.Id}\": \"differ\": '{other}' is not one of auto, overlay, walking"),
        };

        // An id may hold '/' (it is a ref name): the blob goes into that subdirectory.
        var stem = Path.Combine(outputDirectory, job.Id);
        var options = new ExportOptions
        {
            OutputPath = stem + Extension(kind),
            Compression = CompressionSettings.For(kind, level),
            Layer = LayerOptions.Default with { Differ = differ },
        };
        return new WorkerJob(job.Id, job.Source, options, stem + ".json");
    }

    private static string Extension(LayerCompression kind) => kind switch
    {
        LayerCompression.Gzip => ".tar.gz",
        LayerCompression.Zstd => ".tar.zst",
        LayerCompression.Lz4 => ".tar.lz4",
        _ => ".tar",
    };
}
