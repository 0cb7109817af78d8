using System.Text;
using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// diff --push against a real registry started here (Debian's docker-registry), read back by a
/// client no one here wrote (skopeo): the image a layout would hold, over plain HTTP, over TLS with
/// Basic auth or a Bearer token service, and the failures a user meets (a wrong password, an
/// untrusted certificate), each one line naming the cause without the secret.
/// </summary>
public sealed class RegistryPushTests : IDisposable
{
    private const string User = "pd-user";
    private const string Password = "s3cret-Pass-42";
    private static readonly object PathLock = new();
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [RegistryFact]
    public void Pushed_image_should_be_the_one_a_layout_holds_and_skopeo_should_read_it_back()
    {
        using var registry = LocalRegistry.Start();
        var reference = $"{registry.Address}/team/app:v1";
        var report = Path.Combine(_tree.Output, "report.json");
        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--compression", "zstd", "--push", reference, "--report", report, "--created", "none");
        Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());
        Assert.Contains($"pushed {reference}@sha256:", push.StdErr, StringComparison.Ordinal);

        var layout = Path.Combine(_tree.Output, "layout");
        var local = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--compression", "zstd", "--oci-layout", layout, "--tag", "v1", "--created", "none");
        Assert.True(local.ExitCode == 0, local.StdErr);
        Assert.Equal(local.StdOut, push.StdOut);

        var pulled = Path.Combine(_tree.Output, "pulled");
        SystemTool.Check("skopeo", "copy", "-q", "--src-tls-verify=false", $"docker://{reference}", $"oci:{pulled}:v1");
        Assert.Equal(ManifestDigest(layout), ManifestDigest(pulled));
        AssertSameBlobs(layout, pulled);

        using var written = JsonDocument.Parse(File.ReadAllBytes(report));
        var pushed = written.RootElement.GetProperty("snapshots")[0].GetProperty("push");
        Assert.Equal(ManifestDigest(layout), pushed.GetProperty("manifest").GetString());
        Assert.All(pushed.GetProperty("blobs").EnumerateArray(), b => Assert.Equal("uploaded", b.GetProperty("arrival").GetString()));

        var config = SystemTool.Check("skopeo", "inspect", "--config", "--tls-verify=false", $"docker://{reference}");
        var diffId = JsonDocument.Parse(push.StdOut).RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString();
        Assert.Contains(diffId!, config, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void Push_without_a_file_or_layout_should_leave_nothing_on_disk_and_a_second_push_should_find_the_config_there()
    {
        using var registry = LocalRegistry.Start();
        var reference = $"{registry.Address}/app:latest";
        for (var run = 0; run < 2; run++)
        {
            var report = Path.Combine(_tree.Root, $"report-{run}.json");
            var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference, "--report", report, "--quiet", "--created", "none");
            Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());
            Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));

            using var written = JsonDocument.Parse(File.ReadAllBytes(report));
            var arrivals = written.RootElement.GetProperty("snapshots")[0].GetProperty("push").GetProperty("blobs").EnumerateArray()
                .Select(b => b.GetProperty("arrival").GetString()).ToList();

            // The layer is streamed while written; the config is checked with HEAD first.
            Assert.Equal(run == 0 ? ["uploaded", "uploaded"] : ["uploaded", "present"], arrivals);
        }
    }

    [RegistryFact]
    public void Push_over_TLS_with_Basic_auth_should_take_the_auth_file_and_the_cert_dir()
    {
        using var registry = LocalRegistry.Start(tls: true, basic: (User, Password));
        var reference = $"{registry.Address}/team/app:tls";
        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "-o", Path.Combine(_tree.Output, "layer.tgz"), "--push", reference,
            "--authfile", AuthFile(registry, Password), "--cert-dir", registry.CertDir);
        Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());

        var inspect = SystemTool.Check("skopeo", "inspect", "--cert-dir", registry.CertDir, "--creds", $"{User}:{Password}", $"docker://{reference}");
        Assert.Contains(push.StdErr.Split('@')[1].Trim(), inspect, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void Credential_helper_named_in_the_auth_file_should_be_asked()
    {
        using var registry = LocalRegistry.Start(tls: true, basic: (User, Password));

        // docker-credential-NAME get: the server on stdin, {"Username","Secret"} on stdout.
        var bin = Directory.CreateDirectory(Path.Combine(_tree.Root, "bin")).FullName;
        var helper = Path.Combine(bin, "docker-credential-pdtest");
        File.WriteAllText(helper, $$$"""
            #!/bin/sh
            read -r server
            if [ "$1" = get ] && [ "$server" = "{{{registry.Address}}}" ]; then
              printf '{"ServerURL":"%s","Username":"{{{User}}}","Secret":"{{{Password}}}"}' "$server"
            else
              echo "credentials not found in native keychain"; exit 1
            fi
            """);
        File.SetUnixFileMode(helper, (UnixFileMode)0b111_101_101);
        var authFile = Path.Combine(_tree.Root, "helper-auth.json");
        File.WriteAllText(authFile, new System.Text.Json.Nodes.JsonObject { ["credHelpers"] = new System.Text.Json.Nodes.JsonObject { [registry.Address] = "pdtest" } }.ToJsonString());

        // The CLI looks the helper up on its PATH, which it inherits from this process.
        lock (PathLock)
        {
            var path = Environment.GetEnvironmentVariable("PATH");
            if (!(path ?? string.Empty).Split(':').Contains(bin))
            {
                Environment.SetEnvironmentVariable("PATH", bin + ":" + path);
            }
        }

        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", $"{registry.Address}/team/app:helper", "--authfile", authFile, "--cert-dir", registry.CertDir);
        Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());
        Assert.DoesNotContain(Password, push.StdErr, StringComparison.Ordinal);
    }

    [RegistryFact]
    public void Wrong_password_should_fail_in_one_line_without_the_secret_and_write_nothing()
    {
        using var registry = LocalRegistry.Start(tls: true, basic: (User, Password));
        var output = Path.Combine(_tree.Output, "layer.tgz");
        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "-o", output, "--push", $"{registry.Address}/team/app:x",
            "--authfile", AuthFile(registry, "not-the-password"), "--cert-dir", registry.CertDir);

        Assert.Equal(1, push.ExitCode);
        Assert.Empty(push.StdOut);
        var line = Assert.Single(push.StdErr.Trim().Split('\n'));
        Assert.Contains("401", line, StringComparison.Ordinal);
        Assert.Contains("refused", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:not-the-password")), line, StringComparison.Ordinal);
        Assert.False(File.Exists(output), "the login is checked before the layer is written");
    }

    [RegistryFact]
    public void Untrusted_certificate_should_be_named_and_tls_verify_false_should_pass_it()
    {
        using var registry = LocalRegistry.Start(tls: true);
        var reference = $"{registry.Address}/team/app:v1";
        var refused = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference);
        Assert.Equal(1, refused.ExitCode);
        var line = Assert.Single(refused.StdErr.Trim().Split('\n'));
        Assert.Contains("certificate is not trusted", line, StringComparison.Ordinal);
        Assert.Contains("--cert-dir", line, StringComparison.Ordinal);

        var accepted = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference, "--tls-verify", "false");
        Assert.True(accepted.ExitCode == 0, accepted.StdErr + registry.Said());
    }

    [RegistryFact]
    public void Bearer_token_flow_should_log_in_with_the_auth_file_and_a_wrong_password_should_be_refused_by_the_token_service()
    {
        var home = Directory.CreateTempSubdirectory("pd-token-").FullName;
        try
        {
            using var tokens = new TokenService(home, User, Password);
            using var registry = LocalRegistry.Start(token: tokens);
            var reference = $"{registry.Address}/team/app:bearer";
            var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference, "--authfile", AuthFile(registry, Password));
            Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());
            Assert.True(tokens.Issued >= 1, "the push asked the token service");

            var wrong = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference, "--authfile", AuthFile(registry, "nope-nope"));
            Assert.Equal(1, wrong.ExitCode);
            var line = Assert.Single(wrong.StdErr.Trim().Split('\n'));
            Assert.Contains("token service", line, StringComparison.Ordinal);
            Assert.Contains("401", line, StringComparison.Ordinal);
            Assert.DoesNotContain("nope-nope", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [RegistryFact]
    public void An_identitytoken_should_be_exchanged_for_access_tokens_and_a_wrong_one_refused_unprinted()
    {
        const string Refresh = "refresh-9f3c2a";
        var home = Directory.CreateTempSubdirectory("pd-token-").FullName;
        try
        {
            using var tokens = new TokenService(home, User, Password, Refresh);
            using var registry = LocalRegistry.Start(token: tokens);
            var reference = $"{registry.Address}/team/app:identity";
            var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference, "--authfile", IdentityAuthFile(registry, Refresh));
            Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());
            Assert.True(tokens.Refreshed >= 1, "the push exchanged the identity token");
            Assert.Equal(tokens.Issued, tokens.Refreshed);
            var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", $"{User}:{Password}", $"docker://{reference}");
            Assert.Contains("\"layers\"", raw, StringComparison.Ordinal);

            var wrong = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", reference, "--authfile", IdentityAuthFile(registry, "stale-token-77"));
            Assert.Equal(1, wrong.ExitCode);
            var line = Assert.Single(wrong.StdErr.Trim().Split('\n'));
            Assert.Contains("token service", line, StringComparison.Ordinal);
            Assert.Contains("401", line, StringComparison.Ordinal);
            Assert.DoesNotContain("stale-token-77", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [RegistryFact]
    public void Image_push_should_send_every_layer_and_the_manifest_the_layout_holds()
    {
        using var registry = LocalRegistry.Start();
        var reference = $"{registry.Address}/team/stack:v2";
        var layout = Path.Combine(_tree.Output, "layout");
        var image = CliRunner.Run("image", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-layout", layout, "--tag", "v2", "--push", reference);
        Assert.True(image.ExitCode == 0, image.StdErr + registry.Said());

        var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{reference}");
        Assert.Equal(ManifestDigest(layout), "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(raw))));
        using var inspect = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--tls-verify=false", $"docker://{reference}"));
        Assert.Equal(2, inspect.RootElement.GetProperty("Layers").GetArrayLength());
    }

    [RegistryFact]
    public void Json_progress_should_count_the_bytes_the_registry_took()
    {
        using var registry = LocalRegistry.Start();
        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", $"{registry.Address}/app:progress", "--progress", "json");
        Assert.True(push.ExitCode == 0, push.StdErr + registry.Said());
        var size = JsonDocument.Parse(push.StdOut).RootElement.GetProperty("size").GetInt64();
        var last = push.StdErr.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
            .Last(e => e.GetProperty("event").GetString() == "progress");
        Assert.Equal(size, last.GetProperty("bytesPushed").GetInt64());
    }

    [RegistryFact]
    public void Bad_reference_should_be_a_usage_error_before_any_work()
    {
        var push = CliRunner.Run("diff", "--upper", _tree.Upper, "--push", "127.0.0.1:1/Upper/Case:v1");
        Assert.Equal(2, push.ExitCode);
        Assert.Contains("not a repository name", push.StdErr, StringComparison.Ordinal);
    }

    private string AuthFile(LocalRegistry registry, string password)
    {
        var path = Path.Combine(_tree.Root, $"auth-{Guid.NewGuid():N}.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password}"));
        var document = new System.Text.Json.Nodes.JsonObject
        {
            ["auths"] = new System.Text.Json.Nodes.JsonObject { [registry.Address] = new System.Text.Json.Nodes.JsonObject { ["auth"] = auth } },
        };
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }

    /// <summary>An auth file as docker login leaves it for an OAuth2 registry: a user name and an identity token, no password.</summary>
    private string IdentityAuthFile(LocalRegistry registry, string identityToken)
    {
        var path = Path.Combine(_tree.Root, $"auth-{Guid.NewGuid():N}.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("<token>:"));
        var entry = new System.Text.Json.Nodes.JsonObject { ["auth"] = auth, ["identitytoken"] = identityToken };
        File.WriteAllText(path, new System.Text.Json.Nodes.JsonObject { ["auths"] = new System.Text.Json.Nodes.JsonObject { [registry.Address] = entry } }.ToJsonString());
        return path;
    }

    private static string ManifestDigest(string layout)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        return index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
    }

    private static void AssertSameBlobs(string expected, string actual)
    {
        static Dictionary<string, byte[]> Blobs(string layout) =>
            Directory.GetFiles(Path.Combine(layout, "blobs", "sha256")).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        var want = Blobs(expected);
        var got = Blobs(actual);
        Assert.Equal(want.Keys.Order(), got.Keys.Order());
        foreach (var (name, bytes) in want)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(got[name]), $"blob {name} differs");
        }
    }
}
