using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ParallelDiff.Actors;

namespace ParallelDiff.Hosting;

/// <summary>Registers the <see cref="ExportEngine"/> of a host that runs Akka.Hosting.</summary>
public static class ExportEngineServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="ExportEngine"/> for the host, running in the ActorSystem that AddAkka
    /// registered (never a system of its own); disposing the host disposes the engine first and
    /// leaves the system to Akka.Hosting's shutdown. Akka.Hosting's builder cannot add services
    /// itself (its configuration runs when the container is already built), hence this call
    /// beside AddAkka.
    /// </summary>
    public static IServiceCollection AddExportEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            try
            {
                return new ExportEngine(system);
            }
            catch (ConfigurationException e)
            {
                throw new ConfigurationException($"{e.Message}; with Akka.Hosting, call WithParallelDiff on the AddAkka builder", e);
            }
        });
        return services;
    }
}
