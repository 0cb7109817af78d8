using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>A theory that needs root (the vectors' trusted.* xattrs, overlay mounts) and the Go verifiers; skipped, saying why, otherwise.</summary>
public sealed class RootWithGoTheoryAttribute : TheoryAttribute
{
    public RootWithGoTheoryAttribute()
    {
        Skip = !Privileges.IsRoot ? "needs root (mknod, trusted.* xattrs, mount -t overlay); CI runs these as root" : GoVerifiers.SkipReason;
    }
}
