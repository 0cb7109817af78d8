using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>The fact form of <see cref="RootWithGoTheoryAttribute"/>.</summary>
public sealed class RootWithGoFactAttribute : FactAttribute
{
    public RootWithGoFactAttribute()
    {
        Skip = !Privileges.IsRoot ? "needs root (mknod, trusted.* xattrs, mount -t overlay); CI runs these as root" : GoVerifiers.SkipReason;
    }
}
