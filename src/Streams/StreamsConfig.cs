using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Streams;

namespace ParallelDiff.Streams;

/// <summary>
/// The library's embedded defaults (reference.conf) and the dispatchers they declare. A host
/// creates its ActorSystem with <c>config.WithFallback(StreamsConfig.Reference)</c>; an embedder
/// that did not is still served, because <see cref="Dispatcher"/> registers a missing dispatcher
/// from the reference on first use.
/// </summary>
public static class StreamsConfig
{
    public const string ResourceName = "ParallelDiff.Streams.reference.conf";

    private static readonly Lazy<Config> Loaded = new(Load);

    /// <summary>The embedded reference.conf: paralleldiff.pipeline.* and the two dispatchers.</summary>
    public static Config Reference => Loaded.Value;

    /// <summary>
    /// The dispatcher with the given config path. Akka.NET's Dispatchers reads the system's config
    /// once, at start-up, so a fallback injected later is never seen; a dispatcher missing from the
    /// system's config but declared in <see cref="Reference"/> is therefore registered explicitly.
    /// </summary>
    /// <exception cref="ConfigurationException">Neither the system's config nor the reference declares it.</exception>
    public static MessageDispatcher Dispatcher(ActorSystem system, string id)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentException.ThrowIfNullOrEmpty(id);
        var dispatchers = system.Dispatchers;
        if (!dispatchers.HasDispatcher(id) && Reference.HasPath(id))
        {
            var section = ConfigurationFactory.ParseString($"id = \"{id}\"")
                .WithFallback(Reference.GetConfig(id))
                .WithFallback(dispatchers.DefaultDispatcherConfig);
            dispatchers.RegisterConfigurator(id, new DispatcherConfigurator(section, dispatchers.Prerequisites));
        }

        if (!dispatchers.HasDispatcher(id))
        {
            throw new ConfigurationException(
                $"dispatcher '{id}' is not configured: declare it, or create the ActorSystem with StreamsConfig.Reference as fallback");
        }

        return dispatchers.Lookup(id);
    }

    /// <summary>Makes both pipeline dispatchers known to <paramref name="system"/> (see <see cref="Dispatcher"/>).</summary>
    public static void RegisterDispatchers(ActorSystem system, PipelineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Dispatcher(system, settings.IoDispatcher);
        Dispatcher(system, settings.CpuDispatcher);
    }

    /// <summary>The actor system behind a stage's materializer, where its dispatchers live.</summary>
    internal static ActorSystem SystemOf(IMaterializer materializer) =>
        (materializer as ActorMaterializer
            ?? throw new NotSupportedException($"ParallelDiff stages need an ActorMaterializer, not {materializer?.GetType().Name ?? "null"}")).System;

    private static Config Load()
    {
        using var stream = typeof(StreamsConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(StreamsConfig).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
