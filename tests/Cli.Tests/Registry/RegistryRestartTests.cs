using System.Diagnostics;
using System.Security.Cryptography;
using Xunit;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// The registry killed (-9) in the middle of a streamed upload and started again on the same port
/// and storage: the push retries, asks the registry how much of the upload it holds, goes on from
/// there, and the image it ends with is the layout's.
/// </summary>
public sealed class RegistryRestartTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-restart-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [RegistryFact]
    public void Push_should_resume_after_the_registry_is_killed_and_restarted_mid_upload()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_root, "upper")).FullName;
        for (var i = 0; i < 6; i++)
        {
            // Random data, so that the layer is as big as its files (160 MiB uncompressed).
            File.WriteAllBytes(Path.Combine(upper, $"part{i}.bin"), RandomNumberGenerator.GetBytes(28 << 20));
        }

        // Small chunks and short retry delays: many PATCHes to fall between, and a quick recovery.
        var config = Path.Combine(_root, "push.conf");
        File.WriteAllText(config, "paralleldiff.registry { chunk-size = 1 MiB, retry-delay-ms = 300, max-retries = 8 }\n");
        using var registry = LocalRegistry.Start();
        var reference = $"{registry.Address}/big/app:v1";
        var report = Path.Combine(_root, "report.json");
        using var push = CliRunner.Start("diff", "--upper", upper, "--compression", "none", "--push", reference, "--config", config, "--report", report, "--quiet", "--created", "none");
        var stderr = push.StandardError.ReadToEndAsync();
        var stdout = push.StandardOutput.ReadToEndAsync();

        // Kill it once a fair part is up, and bring it back a moment later.
        var clock = Stopwatch.StartNew();
        while (registry.UploadingBytes() < 24 << 20)
        {
            if (push.HasExited)
            {
                Assert.Fail($"the push ended before the kill: {stderr.Result}");
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the upload did not get going");
            Thread.Sleep(5);
        }

        registry.Kill();
        var heldAtKill = registry.UploadingBytes();
        Thread.Sleep(1500);
        registry.Run();

        Assert.True(push.WaitForExit(TimeSpan.FromMinutes(3)), "the push did not finish");
        Assert.True(push.ExitCode == 0, $"exit {push.ExitCode}: {stderr.Result}\n{registry.Said()}");
        Assert.True(heldAtKill < 150 << 20, "the kill came before the upload was through");

        // What the registry holds is the layer the layout export writes, bit for bit.
        var layout = Path.Combine(_root, "layout");
        var local = CliRunner.Run("diff", "--upper", upper, "--compression", "none", "--oci-layout", layout, "--tag", "v1", "--created", "none");
        Assert.True(local.ExitCode == 0, local.StdErr);
        Assert.Equal(local.StdOut, stdout.Result);
        var manifest = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{reference}");
        var layoutIndex = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        Assert.Equal(
            layoutIndex.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString(),
            "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(manifest))));

        // The blob itself, straight from the registry's API (skopeo would recompress an uncompressed layer).
        var digest = System.Text.Json.JsonDocument.Parse(local.StdOut).RootElement.GetProperty("digest").GetString()!;
        using var http = new HttpClient();
        var held = http.GetByteArrayAsync(new Uri($"http://{registry.Address}/v2/big/app/blobs/{digest}")).GetAwaiter().GetResult();
        Assert.True(
            held.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]))),
            "the registry's layer differs from the layout's");
    }
}
