using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Configuration;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// What makes a process a member of a paralleldiff cluster, from its flags: the seeds it joins,
/// the address it binds, TLS. The actor system comes from hocon/cluster.conf under the settings.
/// </summary>
public sealed class ClusterMember
{
    /// <summary>Every member's actor system has this name: Akka joins only systems of one name.</summary>
    public const string SystemName = "paralleldiff-cluster";

    public const string CertificatePasswordVariable = "PARALLELDIFF_CLUSTER_CERT_PASSWORD";

    public static readonly string[] ValueOptions = ["--cluster", "--bind", "--cluster-cert"];

    public static readonly string[] FlagOptions = ["--allow-insecure-bind"];

    public const string Help = """
        cluster
          --cluster HOST:PORT[,…]  the seed nodes to join (members started with --bind at those addresses)
          --bind HOST:PORT     the address this member listens on (default 127.0.0.1 and any free port);
                               a non-loopback address needs --cluster-cert, or --allow-insecure-bind
          --cluster-cert FILE  TLS for all cluster traffic, both ways: a PKCS#12 file with the
                               certificate and key every member holds (password: $PARALLELDIFF_CLUSTER_CERT_PASSWORD);
                               a process without it can neither join nor send work
          --allow-insecure-bind
                               bind a non-loopback address without TLS (a trusted network only)
        """;

    private ClusterMember(IReadOnlyList<Address> seeds, string host, int port, string? certificate)
    {
        Seeds = seeds;
        Host = host;
        Port = port;
        Certificate = certificate;
    }

    public IReadOnlyList<Address> Seeds { get; }

    public string Host { get; }

    public int Port { get; }

    public string? Certificate { get; }

    /// <exception cref="UsageException">No --cluster, a malformed address, or an insecure bind.</exception>
    public static ClusterMember Parse(CommandLine cl)
    {
        ArgumentNullException.ThrowIfNull(cl);
        var seedText = cl.Value("--cluster") ?? throw new UsageException("needs --cluster HOST:PORT[,…] (the seed nodes)");
        var certificate = cl.Value("--cluster-cert");

        // DotNetty names its TLS transport's addresses akka.ssl.tcp: a seed must be spelled so.
        var protocol = certificate is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = seedText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Endpoint("--cluster", s, allowAnyPort: false))
            .Select(e => new Address(protocol, SystemName, e.Host, e.Port))
            .ToList();
        if (seeds.Count == 0)
        {
            throw new UsageException("--cluster: give at least one seed HOST:PORT");
        }

        var (host, port) = cl.Value("--bind") is { } bind ? Endpoint("--bind", bind, allowAnyPort: true) : ("127.0.0.1", 0);
        if (certificate is not null && !File.Exists(certificate))
        {
            throw new UsageException($"--cluster-cert {certificate}: no such file");
        }

        if (certificate is null && !IsLoopback(host) && !cl.Has("--allow-insecure-bind"))
        {
            throw new UsageException($"--bind {host}: a non-loopback address carries cluster traffic unencrypted and unauthenticated; "
                + "give --cluster-cert FILE (TLS), or --allow-insecure-bind on a trusted network");
        }

        return new ClusterMember(seeds, host, port, certificate);
    }

    /// <summary>
    /// Starts this member's actor system (not yet joined: call <see cref="Join"/> once its actors
    /// exist, so that no message arrives before them).
    /// </summary>
    /// <param name="role">"node" or "coordinator".</param>
    public ActorSystem Start(Settings settings, string role)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var path = Path.Combine(AppContext.BaseDirectory, "hocon", "cluster.conf");
        if (!File.Exists(path))
        {
            throw new UsageException($"{path}: the cluster configuration is missing (reinstall or rebuild)");
        }

        var password = Environment.GetEnvironmentVariable(CertificatePasswordVariable);
        var flags = string.Create(CultureInfo.InvariantCulture, $"""
            akka.remote.dot-netty.tcp.hostname = {Quote(Host)}
            akka.remote.dot-netty.tcp.port = {Port}
            akka.cluster.roles = [{role}]
            """);
        if (Certificate is not null)
        {
            flags += $"""

                akka.remote.dot-netty.tcp.enable-ssl = on
                akka.remote.dot-netty.tcp.ssl.certificate.path = {Quote(Path.GetFullPath(Certificate))}
                """;
        }

        if (!string.IsNullOrEmpty(password))
        {
            flags += $"\nakka.remote.dot-netty.tcp.ssl.certificate.password = {Quote(password)}";
        }

        var config = ConfigurationFactory.ParseString(flags)
            .WithFallback(settings.Config)
            .WithFallback(ConfigurationFactory.ParseString(HoconComments.WithoutCommentLines(File.ReadAllText(path))));
        // Our serializer is bound in code, not by type names in HOCON (NativeAOT keeps no name for
        // an interface that is never reflected on, and Akka would fall back to its default), nor
        // by an ActorSystemSetup (that path reads System.Configuration, which fails under NativeAOT).
        // Bound before any actor exists or the member joins, so no message of ours precedes it.
        var system = ActorSystem.Create(SystemName, config);
        var serializer = new ClusterMessageSerializer((ExtendedActorSystem)system);
        system.Serialization.AddSerializer("paralleldiff-cluster", serializer);
        system.Serialization.AddSerializationMap(typeof(IClusterMessage), serializer);
        return system;
    }

    /// <summary>Joins the seeds; the member is up once the cluster says so.</summary>
    public void Join(ActorSystem system) => Akka.Cluster.Cluster.Get(system).JoinSeedNodes(Seeds);

    /// <summary>This member's own address, as others reach it: HOST:PORT.</summary>
    public static string Describe(ActorSystem system) => Describe(Akka.Cluster.Cluster.Get(system).SelfAddress);

    /// <summary>A member's address as HOST:PORT.</summary>
    public static string Describe(Address address) => $"{address?.Host}:{address?.Port}";

    private static (string Host, int Port) Endpoint(string option, string text, bool allowAnyPort)
    {
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text[..colon].Trim('[', ']') : string.Empty;
        if (host.Length == 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535 || (port == 0 && !allowAnyPort))
        {
            throw new UsageException($"{option} {text}: expected HOST:PORT{(allowAnyPort ? " (port 0: any free port)" : string.Empty)}");
        }

        return (host, port);
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>A HOCON quoted string.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
