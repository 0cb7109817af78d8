using System.Collections.Concurrent;

namespace ParallelDiff.Registry;

/// <summary>
/// The registries one run pushes to: a client per registry and repository, each connected (and
/// logged in) once, and which repository of a registry is known to hold which blob, so that a blob
/// a second repository needs is mounted (?mount=&amp;from=) instead of sent again.
/// </summary>
public sealed class RegistrySession(RegistryOptions options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RegistryClient>>> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Registry, string Digest), string> _holders = new();

    public RegistryOptions Options { get; } = options;

    /// <summary>
    /// The client for <paramref name="reference"/>'s repository, connected on first use. A connection
    /// that failed is tried again by the next caller: a long-lived session (a cluster node's, shared
    /// by every job of an export) must not fail all its later jobs for one refused ping.
    /// </summary>
    public Task<RegistryClient> ClientAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var key = reference.Registry + "/" + reference.Repository;
        var client = _clients.GetOrAdd(key, _ => Connect(reference, cancellationToken));
        if (client.IsValueCreated && client.Value.IsCompleted && !client.Value.IsCompletedSuccessfully)
        {
            var again = Connect(reference, cancellationToken);
            client = _clients.TryUpdate(key, again, client) ? again : _clients[key];
        }

        return client.Value;
    }

    private Lazy<Task<RegistryClient>> Connect(ImageReference reference, CancellationToken cancellationToken) =>
        new(() => RegistryClient.ConnectAsync(reference, Options, cancellationToken));

    /// <summary>Notes that <paramref name="reference"/>'s repository holds <paramref name="digest"/>.</summary>
    public void Holds(ImageReference reference, string digest)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _holders.TryAdd((reference.Registry, digest), reference.Repository);
    }

    /// <summary>Another repository of the same registry known to hold <paramref name="digest"/>, or null.</summary>
    public string? HolderOf(ImageReference reference, string digest)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return _holders.TryGetValue((reference.Registry, digest), out var repository) && repository != reference.Repository ? repository : null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                (await client.Value.ConfigureAwait(false)).Dispose();
            }
            catch (RegistryException)
            {
                // It never connected: nothing to close.
            }
        }
    }
}
