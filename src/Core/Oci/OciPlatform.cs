using HostArchitecture = System.Runtime.InteropServices.Architecture;
using RuntimeInformation = System.Runtime.InteropServices.RuntimeInformation;

namespace ParallelDiff.Core.Oci;

/// <summary>An image's platform, in Go's GOOS/GOARCH names as image-spec config.md requires.</summary>
public sealed record OciPlatform(string Architecture, string Os, string? Variant = null)
{
    /// <summary>linux on this machine's architecture (RuntimeInformation.OSArchitecture in GOARCH spelling).</summary>
    /// <exception cref="PlatformNotSupportedException">An architecture without a GOARCH name; give the platform explicitly.</exception>
    public static OciPlatform Host { get; } = ForArchitecture(RuntimeInformation.OSArchitecture);

    public static OciPlatform ForArchitecture(HostArchitecture architecture) => architecture switch
    {
        HostArchitecture.X64 => new("amd64", "linux"),
        HostArchitecture.Arm64 => new("arm64", "linux"),
        HostArchitecture.X86 => new("386", "linux"),
        HostArchitecture.Arm => new("arm", "linux", "v7"),
        HostArchitecture.Armv6 => new("arm", "linux", "v6"),
        HostArchitecture.S390x => new("s390x", "linux"),
        HostArchitecture.Ppc64le => new("ppc64le", "linux"),
        HostArchitecture.RiscV64 => new("riscv64", "linux"),
        HostArchitecture.LoongArch64 => new("loong64", "linux"),
        _ => throw new PlatformNotSupportedException($"{architecture}: no GOARCH name is known for this architecture; give the image platform explicitly"),
    };
}
