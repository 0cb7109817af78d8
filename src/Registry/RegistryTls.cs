using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ParallelDiff.Registry;

/// <summary>
/// TLS toward one registry, as skopeo does it: the system's CAs, plus the *.crt files of the cert
/// directory (--cert-dir, else /etc/containers/certs.d/HOST[:PORT] and /etc/docker/certs.d/HOST[:PORT]),
/// a client certificate from NAME.cert and NAME.key there, or no check at all with --tls-verify=false.
/// It also notes whether the server spoke TLS at all, which tells a plain-HTTP loopback registry
/// from one whose certificate is refused.
/// </summary>
internal sealed class RegistryTls
{
    private readonly RegistryOptions _options;
    private readonly X509Certificate2Collection _authorities = [];
    private readonly X509Certificate2Collection _clientCertificates = [];
    private volatile bool _serverSpokeTls;

    public RegistryTls(ImageReference reference, RegistryOptions options)
    {
        _options = options;
        foreach (var dir in CertDirectories(reference, options).Where(Directory.Exists))
        {
            foreach (var ca in Directory.GetFiles(dir, "*.crt").Order(StringComparer.Ordinal))
            {
                _authorities.ImportFromPemFile(ca);
            }

            foreach (var cert in Directory.GetFiles(dir, "*.cert").Order(StringComparer.Ordinal))
            {
                var key = Path.ChangeExtension(cert, ".key");
                if (File.Exists(key))
                {
                    _clientCertificates.Add(X509Certificate2.CreateFromPemFile(cert, key));
                }
            }
        }
    }

    /// <summary>A certificate was offered: whatever went wrong after, the server speaks TLS.</summary>
    public bool ServerSpokeTls => _serverSpokeTls;

    /// <summary>Why the last certificate was refused, for the message.</summary>
    public SslPolicyErrors LastErrors { get; private set; }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    public SocketsHttpHandler CreateHandler() => new()
    {
        // Redirects would carry the registry's Authorization elsewhere; a push needs none.
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = _clientCertificates,
            RemoteCertificateValidationCallback = Validate,
        },
    };

    private static IEnumerable<string> CertDirectories(ImageReference reference, RegistryOptions options) =>
        options.CertDir is { } given
            ? [given]
            : [Path.Combine("/etc/containers/certs.d", reference.Registry), Path.Combine("/etc/docker/certs.d", reference.Registry)];

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        _serverSpokeTls = true;
        LastErrors = errors;
        if (!_options.TlsVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || _authorities.Count == 0 || certificate is null)
        {
            return false;
        }

        // The name matched; only the chain failed: build it again with the cert directory's CAs as roots.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
