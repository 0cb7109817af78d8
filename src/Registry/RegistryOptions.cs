namespace ParallelDiff.Registry;

/// <summary>
/// How pushes reach registries. The defaults (hocon/paralleldiff.conf, paralleldiff.registry) are
/// set by the CLI; nothing here changes a blob's bytes.
/// </summary>
public sealed record RegistryOptions
{
    /// <summary>--authfile: the only auth file read; null looks where docker and podman keep theirs.</summary>
    public string? AuthFile { get; init; }

    /// <summary>--tls-verify=false accepts any certificate (as skopeo's flag does).</summary>
    public bool TlsVerify { get; init; } = true;

    /// <summary>
    /// --cert-dir: *.crt files are CAs to trust and NAME.cert with NAME.key a client certificate, as in
    /// skopeo; null reads /etc/containers/certs.d/HOST[:PORT] and /etc/docker/certs.d/HOST[:PORT].
    /// </summary>
    public string? CertDir { get; init; }

    /// <summary>--insecure-registry: hosts spoken to over plain HTTP. Loopback hosts fall back to it by themselves.</summary>
    public IReadOnlySet<string> InsecureRegistries { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Bytes per PATCH of a streamed upload; also what a layer holds in memory for its upload, twice.</summary>
    public int ChunkSize { get; init; } = 8 << 20;

    /// <summary>Retries of a request that failed in a way that may pass (5xx, 429, a reset connection, a timeout).</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first retry's delay; each next one doubles, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One attempt of one request, at most.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Chunks sent at once across all layers of a run (containerd's default is 3).</summary>
    public int MaxConcurrentUploads { get; init; } = 3;

    /// <summary>Reads an environment variable: HOME, XDG_RUNTIME_DIR, DOCKER_CONFIG, REGISTRY_AUTH_FILE, PATH.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
