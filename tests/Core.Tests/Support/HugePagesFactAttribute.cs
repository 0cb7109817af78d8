using Xunit;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>A fact about transparent huge pages: skipped, saying so, on a kernel built without them.</summary>
public sealed class HugePagesFactAttribute : FactAttribute
{
    public HugePagesFactAttribute()
    {
        if (!File.Exists("/sys/kernel/mm/transparent_hugepage/enabled"))
        {
            Skip = "this kernel has no transparent huge pages (/sys/kernel/mm/transparent_hugepage)";
        }
    }
}
