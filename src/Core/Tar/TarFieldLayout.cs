namespace ParallelDiff.Core.Tar;

/// <summary>
/// Where each field of a 512-byte POSIX ustar header block sits (tar(5), "POSIX ustar Archives").
/// The same layout serves the main header of a PAX entry and its 'x' extended header block.
/// </summary>
internal static class TarFieldLayout
{
    public const int NameOffset = 0;
    public const int NameLength = 100;

    public const int ModeOffset = 100;
    public const int ModeLength = 8;

    public const int UidOffset = 108;
    public const int UidLength = 8;

    public const int GidOffset = 116;
    public const int GidLength = 8;

    public const int SizeOffset = 124;
    public const int SizeLength = 12;

    public const int MtimeOffset = 136;
    public const int MtimeLength = 12;

    public const int ChecksumOffset = 148;
    public const int ChecksumLength = 8;

    public const int TypeFlagOffset = 156;

    public const int LinkNameOffset = 157;
    public const int LinkNameLength = 100;

    /// <summary>"ustar\0" for both USTAR and PAX; GNU's "ustar  \0" is never written.</summary>
    public const int MagicOffset = 257;

    /// <summary>"00", right after the magic.</summary>
    public const int VersionOffset = 263;

    public const int UserNameOffset = 265;
    public const int UserNameLength = 32;

    public const int GroupNameOffset = 297;
    public const int GroupNameLength = 32;

    public const int DevMajorOffset = 329;
    public const int DevMajorLength = 8;

    public const int DevMinorOffset = 337;
    public const int DevMinorLength = 8;

    public const int PrefixOffset = 345;
    public const int PrefixLength = 155;

    /// <summary>The POSIX magic, NUL-terminated; PAX shares it (Go archive/tar magicUSTAR).</summary>
    public static ReadOnlySpan<byte> UstarMagic => "ustar\u0000"u8;

    /// <summary>The POSIX version, two ASCII zeros without a NUL (Go archive/tar versionUSTAR).</summary>
    public static ReadOnlySpan<byte> UstarVersion => "00"u8;
}
