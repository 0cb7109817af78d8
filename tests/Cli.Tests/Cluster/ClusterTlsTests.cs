using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace ParallelDiff.Cli.Tests.Cluster;

/// <summary>--cluster-cert: members holding the certificate form a cluster over TLS; a process without it cannot join.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-cluster-tls-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Nodes_with_the_certificate_should_join_and_a_process_without_it_should_not()
    {
        var certificate = WriteCertificate();

        // Self-signed, so its chain cannot be validated; a real cluster's certificate chains to a trusted CA.
        var config = Path.Combine(_root, "tls.conf");
        File.WriteAllText(config, """
            paralleldiff.cluster.join-timeout-s = 8
            akka.remote.dot-netty.tcp.ssl.certificate.password = "pd-test"
            akka.remote.dot-netty.tcp.ssl.suppress-validation = true
            """);

        using var nodes = new ClusterNodes();
        nodes.Start("n1", "--cluster-cert", certificate, "--config", config);
        nodes.Start("n2", "--cluster-cert", certificate, "--config", config);

        var intruder = CliRunner.Run("node", "--cluster", nodes.Seed, "--name", "intruder", "--config", config);
        Assert.True(intruder.ExitCode == 1, $"exit {intruder.ExitCode}: {intruder.StdErr}\n{nodes.Said()}");
        Assert.Contains("could not join the cluster within 8 s", intruder.StdErr, StringComparison.Ordinal);

        var missingCertificate = CliRunner.Run("node", "--cluster", nodes.Seed, "--cluster-cert", Path.Combine(_root, "missing.pfx"));
        Assert.Equal(2, missingCertificate.ExitCode);
        Assert.Contains("no such file", missingCertificate.StdErr, StringComparison.Ordinal);
    }

    /// <summary>A self-signed certificate for both TLS roles, with its key, in a PKCS#12 file (password pd-test).</summary>
    private string WriteCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=paralleldiff-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_root, "cluster.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "pd-test"));
        return path;
    }
}
