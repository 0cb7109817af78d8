using ParallelDiff.Core.Sources;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>BuildKit's GetOverlayLayers (spec §2.2): which options keep it on its overlay differ.</summary>
public sealed class BuildKitOverlayCompatibilityTests
{
    [Theory]
    [InlineData("lowerdir=/a:/b")]
    [InlineData("upperdir=/u")]
    [InlineData("workdir=/w")]
    [InlineData("index=off")]
    [InlineData("userxattr")]
    [InlineData("redirect_dir=on")]
    [InlineData("redirect_dir=off")]
    [InlineData("redirect_dir=nofollow")]
    public void Options_BuildKit_knows_should_pass(string option) => Assert.Null(BuildKitOverlayCompatibility.Check([option]));

    [Theory]
    [InlineData("ro")]
    [InlineData("rw")]
    [InlineData("index=on")]
    [InlineData("metacopy=on")]
    [InlineData("metacopy=off")]
    [InlineData("xino=off")]
    [InlineData("xino=auto")]
    [InlineData("volatile")]
    [InlineData("uidmap=0:1000:65536")]
    [InlineData("gidmap=0:1000:65536")]
    [InlineData("nfs_export=off")]
    [InlineData("uuid=on")]
    [InlineData("verity=on")]
    [InlineData("default_permissions")]
    [InlineData("lowerdir+=/a")]
    [InlineData("datadir+=/a")]
    [InlineData("userxattr=1")]
    [InlineData("nodev")]
    public void Every_other_option_should_give_a_reason_naming_it(string option)
    {
        var reason = BuildKitOverlayCompatibility.Check(["lowerdir=/a", "upperdir=/u", "workdir=/w", option]);

        Assert.NotNull(reason);
        Assert.Contains($"\"{option}\"", reason, StringComparison.Ordinal);
        Assert.Contains("walking differ", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lowerdir=/a::/b", "data-only")]
    [InlineData(@"lowerdir=/a\:b:/c", "escapes")]
    [InlineData(@"upperdir=/u\,v", "escapes")]
    public void Lowerdirs_BuildKit_would_split_differently_should_give_a_reason(string option, string cause)
    {
        var reason = BuildKitOverlayCompatibility.Check([option]);

        Assert.NotNull(reason);
        Assert.Contains(cause, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parsed_options_should_report_the_first_reason()
    {
        Assert.Null(OverlayMountOptions.Parse("lowerdir=/a,upperdir=/u,workdir=/w,index=off,userxattr").BuildKitCompatibility);
        Assert.Contains("\"metacopy=on\"", OverlayMountOptions.Parse("lowerdir=/a,upperdir=/u,workdir=/w,metacopy=on,volatile").BuildKitCompatibility, StringComparison.Ordinal);
    }
}
