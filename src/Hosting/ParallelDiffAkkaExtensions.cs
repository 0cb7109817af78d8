using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ParallelDiff.Actors;
using ParallelDiff.Streams;

namespace ParallelDiff.Hosting;

/// <summary>
/// Akka.Hosting's idiom for ParallelDiff: <c>services.AddAkka("batch", (akka, sp) =&gt;
/// akka.WithParallelDiff(sp))</c>, then <see cref="ExportEngineServiceCollectionExtensions.AddExportEngine"/>
/// for an <see cref="ExportEngine"/> that runs in that system.
/// </summary>
public static class ParallelDiffAkkaExtensions
{
    /// <summary>
    /// Gives the host's actor system ParallelDiff's settings and dispatchers: the reference.conf of
    /// Actors and Streams as the fallback of everything the host configured, <see cref="ParallelDiffOptions.Hocon"/>
    /// and the ParallelDiff section of <see cref="ParallelDiffOptions.Configuration"/> in front of it.
    /// The walk dispatcher must be there when the system starts (Akka.NET reads dispatchers once),
    /// which is why this belongs to the system's configuration and not to the engine.
    /// </summary>
    public static AkkaConfigurationBuilder WithParallelDiff(this AkkaConfigurationBuilder builder, ParallelDiffOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddHocon(ActorsConfig.Reference.WithFallback(StreamsConfig.Reference), HoconAddMode.Append);
        if (options.Hocon is { } hocon)
        {
            builder.AddHocon(hocon, HoconAddMode.Prepend);
        }

        if (options.Configuration?.GetSection(ParallelDiffOptions.SectionName) is { } section && section.Exists())
        {
            // Akka.Hosting names the HOCON object after the section's key, lower-cased: "paralleldiff".
            builder.AddHocon(section, HoconAddMode.Prepend);
        }

        if (options.LogToLoggerFactory)
        {
            // Akka's DefaultLogger writes to standard output; a host's log goes where its ILogger goes.
            builder.ConfigureLoggers(loggers => loggers.ClearLoggers().AddLoggerFactory());
        }

        return builder;
    }

    /// <summary>
    /// <see cref="WithParallelDiff(AkkaConfigurationBuilder, ParallelDiffOptions)"/> with the host's
    /// IConfiguration from <paramref name="services"/> unless <paramref name="options"/> names one.
    /// </summary>
    public static AkkaConfigurationBuilder WithParallelDiff(this AkkaConfigurationBuilder builder, IServiceProvider services, ParallelDiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new ParallelDiffOptions();
        return builder.WithParallelDiff(options.Configuration is null ? options with { Configuration = services.GetService<IConfiguration>() } : options);
    }
}
