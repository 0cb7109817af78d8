using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>A fact that needs external programs on PATH; skipped, naming them and how to get them, when one is missing.</summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !OnPath(t)).ToList();
        if (missing.Count > 0)
        {
            Skip = $"needs {string.Join(" and ", missing)} on PATH (Debian/Ubuntu: apt-get install -y {string.Join(' ', missing)})";
        }
    }

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
