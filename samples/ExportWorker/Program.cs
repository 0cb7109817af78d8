// ExportWorker JOBS.json OUTDIR [--Key=Value ...]
//
// Exports every snapshot of a job file (the format of 'paralleldiff export --jobs') as a layer blob
// OUTDIR/ID.tar.gz (or .tar, .tar.zst, .tar.lz4) with its descriptor OUTDIR/ID.json, in the
// host's actor system, and exits 0 when every layer is written, 3 when some failed, 2 when the
// command line or the job file is wrong. Settings come from HOCON defaults under the host's
// configuration: --ParallelDiff:pipeline:parallelism=2, or ParallelDiff__pipeline__parallelism=2.
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ParallelDiff.Actors;
using ParallelDiff.Hosting;
using ParallelDiff.Samples.ExportWorker;

if (args.Length < 2 || args[0].StartsWith('-') || args[1].StartsWith('-'))
{
    await Console.Error.WriteLineAsync("usage: ExportWorker JOBS.json OUTDIR [--ParallelDiff:pipeline:parallelism=N ...]").ConfigureAwait(false);
    return WorkerExitCodes.Usage;
}

// The positional arguments are ours; the rest are configuration keys (a path like /jobs.json
// would read as a "/key" switch to the command-line configuration provider).
var builder = Host.CreateApplicationBuilder(args[2..]);
builder.Services.AddSingleton(new WorkerArguments(args[0], args[1]));
builder.Services
    .AddAkka("export-worker", (akka, services) => akka.WithParallelDiff(services))
    .AddExportEngine();
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("export-worker"))
    .WithMetrics(metrics => metrics.AddMeter(ParallelDiffTelemetry.MeterName).AddConsoleExporter())
    .WithTracing(tracing => tracing.AddSource(ParallelDiffTelemetry.ActivitySourceName).AddConsoleExporter());
builder.Services.AddHostedService<ExportWorkerService>();

using var host = builder.Build();
await host.RunAsync().ConfigureAwait(false);
return Environment.ExitCode;
