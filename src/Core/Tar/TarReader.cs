using static ParallelDiff.Core.Tar.TarFieldParser;

namespace ParallelDiff.Core.Tar;

/// <summary>
/// Reads an uncompressed tar stream entry by entry: POSIX ustar, PAX ('x' records applied, 'g'
/// skipped) and GNU ('L'/'K' long names). Names stay raw bytes. Every header checksum is checked,
/// and an archive that ends before its end-of-archive zero block is an error, so a layer that
/// reads cleanly is known to be whole. Reading stops at the first zero block.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The entry stream is a window over the caller's stream and owns nothing to dispose.")]
public sealed partial class TarReader
{
    private const byte TypeRegularV7 = 0;
    private const byte TypeGnuLongName = (byte)'L';
    private const byte TypeGnuLongLink = (byte)'K';

    private readonly Stream _input;
    private readonly byte[] _block = new byte[BlockSize];
    private TarEntryStream? _current;
    private bool _finished;

    public TarReader(Stream uncompressedTar)
    {
        ArgumentNullException.ThrowIfNull(uncompressedTar);
        _input = uncompressedTar;
    }

    /// <summary>How many bytes of the archive have been consumed.</summary>
    public long Position { get; private set; }

    /// <summary>The next entry, or null after the end-of-archive block.</summary>
    public TarReaderEntry? Next()
    {
        if (_finished)
        {
            return null;
        }

        FinishCurrentEntry();
        var extensions = new PendingExtensions();
        var entryOffset = Position;
        while (true)
        {
            var blockOffset = Position;
            if (!ReadHeaderBlock(blockOffset))
            {
                throw new TarFormatException(
                    extensions.Any ? "the archive ends after an extended header, before its entry" : "the archive ends without an end-of-archive (zero) block",
                    blockOffset);
            }

            if (IsZeroBlock(_block))
            {
                if (extensions.Any)
                {
                    throw new TarFormatException("an extended header is followed by the end of the archive instead of its entry", blockOffset);
                }

                _finished = true;
                return null;
            }

            if (!ChecksumMatches(_block, blockOffset))
            {
                throw new TarFormatException("header checksum mismatch", blockOffset);
            }

            var type = _block[156];
            var size = Number(_block.AsSpan(124, 12), "size", blockOffset);
            if (size < 0)
            {
                throw new TarFormatException("negative size", blockOffset);
            }

            switch (type)
            {
                case (byte)TarEntryType.PaxExtended:
                    extensions.AddPaxRecords(ReadExtensionData(size, blockOffset), blockOffset + BlockSize);
                    continue;
                case (byte)TarEntryType.PaxGlobal:
                    // Global records are not applied: containerd's applier ignores 'g' entries and
                    // Go's reader does not carry their records over to later entries.
                    ReadExtensionData(size, blockOffset);
                    if (!extensions.Any)
                    {
                        entryOffset = Position;
                    }

                    continue;
                case TypeGnuLongName:
                    extensions.LongName = String(ReadExtensionData(size, blockOffset)).ToArray();
                    continue;
                case TypeGnuLongLink:
                    extensions.LongLink = String(ReadExtensionData(size, blockOffset)).ToArray();
                    continue;
                default:
                    return StartEntry(type, size, blockOffset, entryOffset, extensions);
            }
        }
    }

    private TarReaderEntry StartEntry(byte type, long size, long blockOffset, long entryOffset, PendingExtensions extensions)
    {
        var block = _block.AsSpan();
        var format = DetectFormat(block, out var prefixLength);
        var name = String(block[..100]).ToArray();
        if (prefixLength > 0)
        {
            var prefix = String(block.Slice(345, prefixLength));
            if (!prefix.IsEmpty)
            {
                name = [.. prefix, (byte)'/', .. name];
            }
        }

        var fields = new EntryFields
        {
            Name = name,
            LinkName = String(block.Slice(157, 100)).ToArray(),
            Size = size,
            Uid = Number(block.Slice(108, 8), "uid", blockOffset),
            Gid = Number(block.Slice(116, 8), "gid", blockOffset),
            MtimeSeconds = Number(block.Slice(136, 12), "mtime", blockOffset),
        };

        // Go's archive/tar order: PAX records first, then GNU long names override the name.
        extensions.ApplyTo(fields);
        if (extensions.Paxed)
        {
            format = TarEntryFormat.Pax;
        }

        // A V7 regular file ('\0') whose name ends in '/' is a directory, as Go's reader decides.
        if (type == TypeRegularV7)
        {
            type = fields.Name.Length > 0 && fields.Name[^1] == (byte)'/' ? (byte)TarEntryType.Directory : (byte)TarEntryType.Regular;
        }

        var entryType = (TarEntryType)type;
        var dataLength = CarriesNoData(entryType) ? 0 : fields.Size;
        var header = new TarHeader
        {
            Name = fields.Name,
            Type = entryType,
            Mode = (int)(Number(block.Slice(100, 8), "mode", blockOffset) & 0xFFF),
            Uid = fields.Uid,
            Gid = fields.Gid,
            Size = dataLength,
            MtimeSeconds = fields.MtimeSeconds,
            MtimeNanoseconds = fields.MtimeNanoseconds,
            LinkName = fields.LinkName,
            DevMajor = format == TarEntryFormat.V7 ? 0 : Number(block.Slice(329, 8), "devmajor", blockOffset),
            DevMinor = format == TarEntryFormat.V7 ? 0 : Number(block.Slice(337, 8), "devminor", blockOffset),
            Xattrs = fields.Xattrs,
        };
        _current = new TarEntryStream(this, dataLength);
        return new TarReaderEntry(header, _current, entryOffset, format, extensions.PaxRecords);
    }

    /// <summary>The types tar(5) defines as header-only: any size field they carry has no data.</summary>
    private static bool CarriesNoData(TarEntryType type) => type is TarEntryType.HardLink or TarEntryType.Symlink
        or TarEntryType.CharDevice or TarEntryType.BlockDevice or TarEntryType.Directory or TarEntryType.Fifo;

    private static TarEntryFormat DetectFormat(ReadOnlySpan<byte> block, out int prefixLength)
    {
        var magic = block.Slice(257, 6);
        var version = block.Slice(263, 2);
        if (magic.SequenceEqual("ustar\0"u8) && version.SequenceEqual("00"u8))
        {
            // star puts atime/ctime in the tail of the prefix field and marks it with "tar\0".
            prefixLength = block.Slice(508, 4).SequenceEqual("tar\0"u8) ? 131 : 155;
            return TarEntryFormat.Ustar;
        }

        prefixLength = 0;
        return magic.SequenceEqual("ustar "u8) && version.SequenceEqual(" \0"u8) ? TarEntryFormat.Gnu : TarEntryFormat.V7;
    }

    private static long Padded(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;

    private bool ReadHeaderBlock(long blockOffset)
    {
        var got = ReadAtMost(_block);
        if (got == 0)
        {
            return false;
        }

        if (got < BlockSize)
        {
            throw new TarFormatException("the archive ends inside a header block", blockOffset);
        }

        return true;
    }

    /// <summary>The data of an 'x', 'g', 'L' or 'K' header, with its padding consumed.</summary>
    private byte[] ReadExtensionData(long size, long blockOffset)
    {
        // Go's archive/tar bounds these at 1 MiB too; a bigger one is corrupt or hostile.
        if (size > 1 << 20)
        {
            throw new TarFormatException($"extended header of {size} bytes is larger than 1 MiB", blockOffset);
        }

        var data = new byte[size];
        if (ReadAtMost(data) < size)
        {
            throw new TarFormatException("the archive ends inside an extended header", Position);
        }

        Skip(Padded(size) - size);
        return data;
    }

    private void FinishCurrentEntry()
    {
        if (_current is null)
        {
            return;
        }

        Skip(_current.Remaining + (Padded(_current.Length) - _current.Length));
        _current.Detach();
        _current = null;
    }

    private void Skip(long count)
    {
        var scratch = new byte[(int)Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            var n = ReadAtMost(scratch.AsSpan(0, (int)Math.Min(count, scratch.Length)));
            if (n == 0)
            {
                throw new TarFormatException("the archive ends inside an entry's data", Position);
            }

            count -= n;
        }
    }

    /// <summary>Reads until the span is full or the input ends; the count read.</summary>
    private int ReadAtMost(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = _input.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
            Position += n;
        }

        return total;
    }

    /// <summary>One read for the data stream: at least one byte unless the input has ended.</summary>
    internal int ReadData(Span<byte> buffer)
    {
        var n = _input.Read(buffer);
        Position += n;
        return n;
    }
}
