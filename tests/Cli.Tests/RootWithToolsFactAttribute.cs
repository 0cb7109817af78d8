using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>A fact that needs root (overlay mounts, a containerd of its own) and some programs; skipped, saying which and how to get them, otherwise.</summary>
public sealed class RootWithToolsFactAttribute : FactAttribute
{
    public RootWithToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !SystemTool.OnPath(t)).ToList();
        if (!Privileges.IsRoot)
        {
            Skip = "needs root (mount -t overlay, and a containerd of its own); CI runs these as root";
        }
        else if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(" and ", missing)} on PATH (./run.sh test installs them with apt: skopeo umoci containerd)";
        }
    }
}
