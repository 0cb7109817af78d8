using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// A registry of the test's own: Debian's docker-registry (the CNCF distribution registry) on
/// 127.0.0.1 and a free port, its storage in a scratch directory; plain HTTP, or TLS with a CA made
/// here, with htpasswd Basic auth or a token service (<see cref="TokenService"/>) if asked. It can
/// be killed and started again on the same port and storage (a fixed http.secret keeps uploads valid).
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly string _config;
    private Process? _process;
    private readonly StringBuilder _log = new();

    private LocalRegistry(string home, int port, string config, bool tls)
    {
        Home = home;
        Port = port;
        _config = config;
        Tls = tls;
    }

    public string Home { get; }

    public int Port { get; }

    public bool Tls { get; }

    /// <summary>127.0.0.1:PORT, as a push reference starts.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The directory with ca.crt, for --cert-dir (TLS registries).</summary>
    public string CertDir => Path.Combine(Home, "certs");

    public string Storage => Path.Combine(Home, "data");

    public static LocalRegistry Start(bool tls = false, (string User, string Password)? basic = null, TokenService? token = null)
    {
        var home = Directory.CreateTempSubdirectory("pd-registry-").FullName;
        var port = FreePort();
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {home}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              secret: paralleldiff-test-secret

            """);
        if (tls)
        {
            Directory.CreateDirectory(Path.Combine(home, "certs"));
            WriteCertificates(home);
            config.Append($"""
                  tls:
                    certificate: {home}/server.crt
                    key: {home}/server.key

                """);
        }

        if (basic is var (user, password))
        {
            File.WriteAllText(Path.Combine(home, "htpasswd"), SystemTool.Check("htpasswd", "-Bbn", user, password));
            config.Append($"""
                auth:
                  htpasswd:
                    realm: paralleldiff-test
                    path: {home}/htpasswd

                """);
        }
        else if (token is not null)
        {
            config.Append($"""
                auth:
                  token:
                    realm: {token.Realm}
                    service: {TokenService.Service}
                    issuer: {TokenService.Issuer}
                    rootcertbundle: {token.CertificateFile}

                """);
        }

        var configPath = Path.Combine(home, "config.yml");
        File.WriteAllText(configPath, config.ToString());
        var registry = new LocalRegistry(home, port, configPath, tls);
        registry.Run();
        return registry;
    }

    /// <summary>kill -9, as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts it again on the same port and storage.</summary>
    public void Run()
    {
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(_config);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry");
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!Accepts())
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"docker-registry did not start on {Address}: {Said()}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>What the registry logged, for failure messages.</summary>
    public string Said()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>Bytes of uploads in progress in the storage.</summary>
    public long UploadingBytes() =>
        Directory.Exists(Storage)
            ? Directory.EnumerateFiles(Storage, "data", SearchOption.AllDirectories).Where(f => f.Contains("/_uploads/", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length)
            : 0;

    public void Dispose()
    {
        Kill();
        Directory.Delete(Home, recursive: true);
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A CA (certs/ca.crt, what --cert-dir and skopeo's --cert-dir read) and a server certificate it signed for 127.0.0.1.</summary>
    private static void WriteCertificates(string home)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=paralleldiff test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));

        File.WriteAllText(Path.Combine(home, "certs", "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(home, "server.crt"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(home, "server.key"), key.ExportPkcs8PrivateKeyPem());
    }
}
