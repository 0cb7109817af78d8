using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// tar-split's metadata (vbatts/tar-split tar/storage, JSONPacker as asm.NewInputTarStream feeds
/// it), which zstd:chunked carries so that a partial pull can rebuild the exact tar, and so the
/// diffID, without the blob: one JSON object a line, "position" counting from 0; a segment
/// (type 2) holds raw tar bytes between file data (padding, headers, the end-of-archive blocks) in
/// "payload" as base64; a file (type 1) holds its name, its size, and in "payload" the CRC-64/ISO of
/// its data (big-endian, tar/asm's crc64.MakeTable(crc64.ISO)), null when it has none. A name that
/// is not valid UTF-8 goes in "name_raw" as base64 instead (storage.Entry.SetName).
/// <para>
/// The lines are zstd-compressed as they come, a frame per <see cref="FrameBytes"/> of them: a
/// 100,000-file layer's lines are 125 MB, which held whole (and their buffer doubled) put a
/// zstd:chunked export at 440 MB of RSS; compressed they are 7 MB. containers/storage writes one
/// streamed frame; its readers (klauspost/compress zstd.NewReader) read concatenated frames as one
/// stream, as RFC 8878 section 3.1 says a decoder does. Frames of their own let the content cache
/// supply the compressed lines of a tree exported before, as it does file frames. One JSON writer
/// serves every line.
/// </para>
/// </summary>
internal sealed class TarSplitPacker : IDisposable
{
    private static readonly ulong[] Crc64Table = MakeCrc64IsoTable();

    /// <summary>Uncompressed bytes of lines a frame holds (its last line may go past): 4 MiB compress within a few per cent of one frame.</summary>
    public const int FrameBytes = 4 * 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _line = new(4096);
    // Pooled: a layer's frames of lines grow these to 8 MiB and its compressed lines to several,
    // and fresh arrays for every layer of an export were pages faulted in anew for each.
    private readonly PooledBufferWriter _lines = new(64 * 1024);
    private readonly PooledBufferWriter _compressed = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly Action<ReadOnlySpan<byte>, IBufferWriter<byte>> _compressFrame;
    private int _position;

    /// <param name="compressFrame">Compresses one frame of lines (zstd at the layer's level) and appends it to the writer.</param>
    public TarSplitPacker(Action<ReadOnlySpan<byte>, IBufferWriter<byte>> compressFrame)
    {
        _json = new Utf8JsonWriter(_line);
        _compressFrame = compressFrame;
    }

    /// <summary>Bytes of JSON lines so far (uncompressed).</summary>
    public long Length { get; private set; }

    /// <summary>Compresses the lines not yet in a frame and returns all the frames, valid until the packer is disposed.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        EndFrame();
        return _compressed.WrittenSpan;
    }

    public void Dispose()
    {
        _json.Dispose();
        _lines.Dispose();
        _compressed.Dispose();
    }

    private void EndFrame()
    {
        if (_lines.WrittenCount > 0)
        {
            _compressFrame(_lines.WrittenSpan, _compressed);
            _lines.Clear();
        }
    }

    private Utf8JsonWriter StartLine()
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
        return _json;
    }

    private void EndLine()
    {
        _json.Flush();
        _line.Write("\n"u8);
        _lines.Write(_line.WrittenSpan);
        Length += _line.WrittenCount;
        if (_lines.WrittenCount >= FrameBytes)
        {
            EndFrame();
        }
    }

    public void AddSegment(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return;
        }

        var json = StartLine();
        json.WriteStartObject();
        json.WriteNumber("type", 2);
        json.WriteBase64String("payload", raw);
        json.WriteNumber("position", _position++);
        json.WriteEndObject();
        EndLine();
    }

    /// <param name="crc64">The CRC-64 of the data, or null for an entry with none (tar/asm checksums only hdr.Size &gt; 0).</param>
    public void AddFile(byte[] name, long size, ulong? crc64)
    {
        var json = StartLine();
        json.WriteStartObject();
        json.WriteNumber("type", 1);
        if (Utf8.IsValid(name))
        {
            json.WriteString("name", name);
        }
        else
        {
            json.WriteBase64String("name_raw", name);
        }

        if (size != 0)
        {
            json.WriteNumber("size", size);
        }

        if (crc64 is { } crc)
        {
            Span<byte> sum = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(sum, crc);
            json.WriteBase64String("payload", sum);
        }
        else
        {
            json.WriteNull("payload");
        }

        json.WriteNumber("position", _position++);
        json.WriteEndObject();
        EndLine();
    }

    /// <summary>
    /// Go's hash/crc64 update: the register inverted before and after, reflected table. Eight bytes
    /// a step with eight tables ("slicing by 8", as Go's own update does for long inputs): a byte at
    /// a time was 8 % of a zstd:chunked layer's CPU; the result is the same.
    /// </summary>
    public static ulong Crc64Append(ulong crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        var t = Crc64Slices;
        while (data.Length >= 8)
        {
            crc ^= System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t[7][(byte)crc] ^ t[6][(byte)(crc >> 8)] ^ t[5][(byte)(crc >> 16)] ^ t[4][(byte)(crc >> 24)]
                ^ t[3][(byte)(crc >> 32)] ^ t[2][(byte)(crc >> 40)] ^ t[1][(byte)(crc >> 48)] ^ t[0][(byte)(crc >> 56)];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = Crc64Table[(byte)crc ^ b] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static readonly ulong[][] Crc64Slices = MakeSlices(Crc64Table);

    private static ulong[][] MakeSlices(ulong[] table)
    {
        var slices = new ulong[8][];
        slices[0] = table;
        for (var k = 1; k < 8; k++)
        {
            slices[k] = new ulong[256];
            for (var i = 0; i < 256; i++)
            {
                var previous = slices[k - 1][i];
                slices[k][i] = table[(byte)previous] ^ (previous >> 8);
            }
        }

        return slices;
    }

    /// <summary>hash/crc64.ISO: the reversed polynomial 0xD800000000000000.</summary>
    private static ulong[] MakeCrc64IsoTable()
    {
        const ulong poly = 0xD800000000000000;
        var table = new ulong[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ poly : crc >> 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
