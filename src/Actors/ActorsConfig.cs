using Akka.Actor;
using Akka.Configuration;
using ParallelDiff.Actors.Walk;

namespace ParallelDiff.Actors;

/// <summary>The library's HOCON defaults: the embedded reference.conf (paralleldiff.pipeline.*, paralleldiff.actors.*).</summary>
public static class ActorsConfig
{
    public const string ResourceName = "ParallelDiff.Actors.reference.conf";

    private static readonly Lazy<Config> Embedded = new(Load);

    /// <summary>Every key this library reads, with its default; put overrides in front with WithFallback.</summary>
    public static Config Reference => Embedded.Value;

    /// <summary>
    /// Checks that a host's actor system declares the walk dispatcher. Akka.NET reads dispatcher
    /// sections once, at start-up, and a pinned dispatcher cannot be registered later through its
    /// public API, so the host must create its system with <see cref="Reference"/> as fallback.
    /// </summary>
    /// <exception cref="ConfigurationException">The system does not declare the dispatcher.</exception>
    public static void RequireDispatchers(ActorSystem system, string dispatcher = WalkSettings.DefaultDispatcher)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!system.Dispatchers.HasDispatcher(dispatcher))
        {
            throw new ConfigurationException(
                $"dispatcher '{dispatcher}' is not configured in actor system '{system.Name}': create it with ActorsConfig.Reference as fallback");
        }
    }

    private static Config Load()
    {
        using var stream = typeof(ActorsConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(ActorsConfig).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
