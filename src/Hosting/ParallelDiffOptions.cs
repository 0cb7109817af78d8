using Akka.Configuration;
using Microsoft.Extensions.Configuration;

namespace ParallelDiff.Hosting;

/// <summary>
/// How <see cref="ParallelDiffAkkaExtensions.WithParallelDiff(Akka.Hosting.AkkaConfigurationBuilder, ParallelDiffOptions)"/>
/// sets up a host's actor system. The settings themselves stay in HOCON: the libraries'
/// reference.conf gives every default, <see cref="Hocon"/> goes over them, and the
/// <see cref="SectionName"/> section of <see cref="Configuration"/> over that.
/// </summary>
public sealed record ParallelDiffOptions
{
    /// <summary>
    /// The section of <see cref="Configuration"/> that maps onto paralleldiff.*: the key
    /// "ParallelDiff:pipeline:parallelism" (or the variable ParallelDiff__pipeline__parallelism) sets
    /// paralleldiff.pipeline.parallelism. Keys are lower-cased and '_' becomes '-', as Akka.Hosting
    /// reads any IConfiguration, so ParallelDiff__pipeline__actor_threshold_entries sets
    /// paralleldiff.pipeline.actor-threshold-entries.
    /// </summary>
    public const string SectionName = "ParallelDiff";

    /// <summary>HOCON over the defaults, from code: for instance hocon/paralleldiff.conf, or a few keys.</summary>
    public Config? Hocon { get; init; }

    /// <summary>
    /// The host's configuration; its <see cref="SectionName"/> section goes over <see cref="Hocon"/>,
    /// so a deployment's appsettings.json or environment changes a setting without a rebuild.
    /// </summary>
    public IConfiguration? Configuration { get; init; }

    /// <summary>
    /// Akka's log goes to the host's ILoggerFactory (Akka.Hosting's LoggerFactoryLogger) instead of
    /// standard output. Turn it off when the host configures Akka's loggers itself.
    /// </summary>
    public bool LogToLoggerFactory { get; init; } = true;
}
