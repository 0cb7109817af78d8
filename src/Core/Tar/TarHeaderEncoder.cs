using System.Buffers;
using ParallelDiff.Core.Fs;
using static ParallelDiff.Core.Tar.TarFieldLayout;

namespace ParallelDiff.Core.Tar;

/// <summary>
/// Turns one <see cref="TarHeader"/> into the header bytes Go's archive/tar Writer emits for
/// containerd's ChangeWriter (Format=PAX): a single USTAR block when every field fits, else a PAX
/// 'x' block, its records, and a main block. GNU is never chosen (spec §3.2).
/// </summary>
public static partial class TarHeaderEncoder
{
    /// <summary>
    /// Appends the header block(s) of <paramref name="header"/> to <paramref name="output"/> and
    /// returns how many bytes were appended. Nothing is appended when the entry cannot be encoded.
    /// </summary>
    /// <exception cref="TarEncodingException">A field no tar format can carry.</exception>
    public static int Write(TarHeader header, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(output);

        var plan = ChooseFormat(header);
        if (!plan.UsePax)
        {
            var block = output.GetSpan(TarArchive.BlockSize)[..TarArchive.BlockSize];
            WriteMainHeader(block, header, pax: false, plan.UstarSplit);
            output.Advance(TarArchive.BlockSize);
            return TarArchive.BlockSize;
        }

        return WritePaxEntry(header, plan, output);
    }

    /// <summary>
    /// The decision Go's Header.allowedFormats makes, field by field: each field either fits its
    /// USTAR slot or asks for a PAX record. PAX wins as soon as one record is really needed.
    /// </summary>
    private static EncodingPlan ChooseFormat(TarHeader h)
    {
        Validate(h);

        var keys = PaxKeys.None;
        var needPax = false;
        var split = -1;

        // Go verifyString: a long or non-ASCII name always gets a path record, even when the
        // USTAR prefix split then makes PAX unnecessary; the record only matters if PAX wins.
        var name = h.Name.AsSpan();
        var nameAscii = System.Text.Ascii.IsValid(name);
        if (!nameAscii || name.Length > NameLength)
        {
            keys |= PaxKeys.Path;
            split = nameAscii ? SplitUstarPath(name) : -1;
            needPax |= split < 0;
        }

        // A linkname has no prefix field, so it can never be split.
        var link = h.LinkName.AsSpan();
        if (link.Length > LinkNameLength || !System.Text.Ascii.IsValid(link))
        {
            keys |= PaxKeys.LinkPath;
            needPax = true;
        }

        if (!FitsOctal(h.Uid, UidLength))
        {
            keys |= PaxKeys.Uid;
            needPax = true;
        }

        if (!FitsOctal(h.Gid, GidLength))
        {
            keys |= PaxKeys.Gid;
            needPax = true;
        }

        if (!FitsOctal(h.Size, SizeLength))
        {
            keys |= PaxKeys.Size;
            needPax = true;
        }

        // Go verifyTime: the mtime is already whole seconds, so only the range matters.
        if (!FitsOctal(h.MtimeSeconds, MtimeLength))
        {
            keys |= PaxKeys.Mtime;
            needPax = true;
        }

        XattrRecord[]? xattrs = null;
        if (h.Xattrs.Count > 0)
        {
            // Go: "only PAX supports PAXRecords".
            xattrs = SortedXattrs(h);
            needPax = true;
        }

        return needPax ? new EncodingPlan(true, keys, -1, xattrs) : new EncodingPlan(false, PaxKeys.None, split, null);
    }

    /// <summary>The refusals of Go's Writer.WriteHeader that apply to a ChangeWriter header.</summary>
    private static void Validate(TarHeader h)
    {
        if (h.Type is TarEntryType.PaxExtended or TarEntryType.PaxGlobal)
        {
            throw Fail(h, "typeflag", "extended headers are produced by the encoder, not passed to it");
        }

        // toASCII treats NUL as non-ASCII, so the name goes to a PAX record, and validPAXRecord
        // rejects a NUL in path/linkpath: Go's writer fails with ErrHeader.
        if (h.Name.AsSpan().Contains((byte)0))
        {
            throw Fail(h, "name", "contains a NUL byte");
        }

        if (h.LinkName.AsSpan().Contains((byte)0))
        {
            throw Fail(h, "linkname", "contains a NUL byte");
        }

        // Go common.go: "filename may not have trailing slash" for these types.
        if (h.Type is TarEntryType.Regular or TarEntryType.CharDevice or TarEntryType.BlockDevice or TarEntryType.Fifo
            && h.Name.AsSpan().EndsWith((byte)'/'))
        {
            throw Fail(h, "name", "a non-directory name may not end in '/'");
        }

        // mode, devmajor and devminor have no PAX key: if they overflow no format can hold them.
        if (!FitsOctal(h.Mode, ModeLength))
        {
            throw Fail(h, "mode", $"{h.Mode} does not fit 7 octal digits");
        }

        if (!FitsOctal(h.DevMajor, DevMajorLength))
        {
            throw Fail(h, "devmajor", $"{h.DevMajor} does not fit 7 octal digits (max 0o7777777)");
        }

        if (!FitsOctal(h.DevMinor, DevMinorLength))
        {
            throw Fail(h, "devminor", $"{h.DevMinor} does not fit 7 octal digits (max 0o7777777)");
        }

        if (h.Size < 0)
        {
            throw Fail(h, "size", $"{h.Size} is negative");
        }
    }

    /// <summary>Go fitsInOctal: a field of n bytes holds n-1 octal digits and a NUL; never negatives.</summary>
    private static bool FitsOctal(long value, int fieldLength) =>
        value >= 0 && value < 1L << ((fieldLength - 1) * 3);

    private static TarEncodingException Fail(TarHeader h, string field, string reason) =>
        new(PathBytes.Display(h.Name), field, reason);

    /// <summary>PAX keys a main-header field can ask for (xattrs are carried separately).</summary>
    [Flags]
    private enum PaxKeys
    {
        None = 0,
        Path = 1,
        LinkPath = 2,
        Uid = 4,
        Gid = 8,
        Size = 16,
        Mtime = 32,
    }

    /// <param name="UsePax">Write an 'x' block and records before the main header.</param>
    /// <param name="Keys">The basic PAX records to write (only meaningful when UsePax).</param>
    /// <param name="UstarSplit">Index of the '/' that splits the name into prefix and name, or -1.</param>
    /// <param name="Xattrs">SCHILY.xattr.* records sorted by key bytes, or null.</param>
    private readonly record struct EncodingPlan(bool UsePax, PaxKeys Keys, int UstarSplit, XattrRecord[]? Xattrs);

    /// <param name="Key">"SCHILY.xattr." + the xattr name, UTF-8.</param>
    /// <param name="Value">The raw xattr value; binary is allowed in a PAX value.</param>
    private readonly record struct XattrRecord(byte[] Key, byte[] Value);
}
