namespace ParallelDiff.Core.Tar;

/// <summary>Which tar dialect described an entry, as the reader found it.</summary>
public enum TarEntryFormat
{
    /// <summary>Unix V7: no magic, so no prefix, owner names or device numbers.</summary>
    V7,

    /// <summary>POSIX ustar (magic "ustar\0" "00"), with the name prefix field.</summary>
    Ustar,

    /// <summary>A ustar header preceded by one or more PAX extended headers ('x').</summary>
    Pax,

    /// <summary>GNU tar (magic "ustar " " \0"), possibly with 'L'/'K' long-name records.</summary>
    Gnu,
}
