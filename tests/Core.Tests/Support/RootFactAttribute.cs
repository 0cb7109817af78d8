using ParallelDiff.Core.Native;
using Xunit;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// A fact that needs root (mknod, trusted.* xattrs, chown, overlay mounts). It is skipped, with
/// that reason, when the tests do not run as root; CI runs as root, so there it always runs.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = "needs root (mknod, trusted.* xattrs, chown, mount -t overlay); CI runs these as root";
        }
    }
}

/// <summary>The theory form of <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = "needs root (mknod, trusted.* xattrs, chown, mount -t overlay); CI runs these as root";
        }
    }
}

public static class Privileges
{
    public static bool IsRoot { get; } = LibC.GetEuid() == 0;
}
