using Xunit;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>A fact that starts a registry of its own (Debian's docker-registry) and reads back with skopeo; skipped, saying how to get them, when they are missing.</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        var missing = new[] { "docker-registry", "skopeo", "htpasswd" }.Where(t => !SystemTool.OnPath(t)).ToList();
        if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(" and ", missing)} on PATH (./run.sh test installs them with apt: docker-registry skopeo apache2-utils)";
        }
    }
}
