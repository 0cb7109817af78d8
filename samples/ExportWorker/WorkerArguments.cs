namespace ParallelDiff.Samples.ExportWorker;

/// <summary>What to export and where to.</summary>
/// <param name="JobsPath">The job file, in the format of 'paralleldiff export --jobs'.</param>
/// <param name="OutputDirectory">Where each job's blob and descriptor go, named after its id.</param>
internal sealed record WorkerArguments(string JobsPath, string OutputDirectory);
