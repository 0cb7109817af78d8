using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ParallelDiff.Actors;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Samples.ExportWorker;

/// <summary>
/// Runs the job file once through the host's <see cref="ExportEngine"/>, one layer after another
/// (each layer already uses every core), sets the exit code and stops the host.
/// </summary>
internal sealed class ExportWorkerService(
    WorkerArguments arguments, IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<ExportWorkerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            Environment.ExitCode = await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Environment.ExitCode = WorkerExitCodes.Interrupted;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkerJob> jobs;
        try
        {
            jobs = WorkerJob.Load(arguments.JobsPath, arguments.OutputDirectory);
        }
        catch (JobListException e)
        {
            logger.LogError("{Message}", e.Message);
            return WorkerExitCodes.Usage;
        }

        // Resolved only now: the engine runs in the ActorSystem that Akka.Hosting started before
        // this service (hosted services start in the order they were added).
        var engine = services.GetRequiredService<ExportEngine>();
        var failed = 0;
        foreach (var job in jobs)
        {
            if (!await ExportAsync(engine, job, cancellationToken).ConfigureAwait(false))
            {
                failed++;
            }
        }

        logger.LogInformation("{Done} of {Count} layers written, {Failed} failed", jobs.Count - failed, jobs.Count, failed);
        return failed == 0 ? WorkerExitCodes.Success : WorkerExitCodes.PartlyFailed;
    }

    /// <summary>One job; a failure is logged with its cause and does not stop the others.</summary>
    private async Task<bool> ExportAsync(ExportEngine engine, WorkerJob job, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(job.Options.OutputPath)!);
            var result = await engine.ExportAsync(job.Source.Resolve(), job.Options, progress: null, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(job.DescriptorPath, result.Descriptor.ToJson() + "\n", cancellationToken).ConfigureAwait(false);
            logger.LogInformation("{Id}: {Digest} {Size} bytes, diffID {DiffId}", job.Id, result.Descriptor.Digest, result.Descriptor.Size, result.Descriptor.DiffId);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The export's message names the snapshot and the path (ExportEngine's contract).
            logger.LogError("{Id}: {Message}", job.Id, e.Message);
            return false;
        }
    }
}
