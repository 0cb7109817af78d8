using Akka.Configuration;

namespace ParallelDiff.Actors;

/// <summary>The library's HOCON defaults: the embedded reference.conf (paralleldiff.pipeline.*, paralleldiff.actors.*).</summary>
public static class ActorsConfig
{
    public const string ResourceName = "ParallelDiff.Actors.reference.conf";

    private static readonly Lazy<Config> Embedded = new(Load);

    /// <summary>Every key this library reads, with its default; put overrides in front with WithFallback.</summary>
    public static Config Reference => Embedded.Value;

    private static Config Load()
    {
        using var stream = typeof(ActorsConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(ActorsConfig).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
