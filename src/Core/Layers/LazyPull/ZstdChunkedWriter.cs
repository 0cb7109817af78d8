using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// zstd:chunked, as containers/storage pkg/chunked/compressor writeZstdChunkedStream lays it out:
/// the tar is exactly the one plain zstd would compress (so the diffID is the same), headers and
/// paddings in frames between files, each file's data in frames of its own; then three skippable
/// frames (RFC 8878 section 3.1.2): the zstd-compressed TOC (internal/minimal TOC, "version": 1),
/// the zstd-compressed tar-split data, and the 64-byte footer (footerDataToBlob). The layer
/// annotations say where the TOC and tar-split are and the TOC's sha256, which is what a partial
/// pull trusts (WriteZstdChunkedManifest).
/// </summary>
/// <remarks>
/// Chunks: containers/storage cuts a file's data where a rolling checksum says (compressor.go
/// rollingChecksumReader) and makes long runs of zeros "zeros" chunks; readers take any chunking
/// the TOC describes (FileMetadata: "ChunkTypeData boundaries are heuristically determined").
/// Here a chunk is a block of <see cref="CompressionSettings.BlockSize"/> bytes, so the layout
/// depends only on the file sizes and the block size, and no frame needs more than a block.
/// </remarks>
internal sealed class ZstdChunkedWriter : PerFileFrameWriter
{
    /// <summary>internal/minimal: ManifestChecksumKey, ManifestInfoKey, TarSplitInfoKey.</summary>
    public const string ManifestChecksumAnnotation = "io.github.containers.zstd-chunked.manifest-checksum";
    public const string ManifestPositionAnnotation = "io.github.containers.zstd-chunked.manifest-position";
    public const string TarSplitPositionAnnotation = "io.github.containers.zstd-chunked.tarsplit-position";

    /// <summary>
    /// The keys containers/storage read before it moved to io.github.containers (1.43, Debian
    /// bookworm's podman 4.3: internal/compression.go); written as well, with the same values, so
    /// those readers find the TOC too.
    /// </summary>
    public const string LegacyManifestChecksumAnnotation = "io.containers.zstd-chunked.manifest-checksum";
    public const string LegacyManifestPositionAnnotation = "io.containers.zstd-chunked.manifest-position";

    // internal/minimal: ManifestTypeCRFS, ZstdChunkedFrameMagic ("GNUlInUx"), FooterSizeSupported.
    private const int ManifestTypeCrfs = 1;
    private const int FooterSize = 64;
    private static readonly byte[] FrameMagic = "GNUlInUx"u8.ToArray();

    // RFC 8878 section 3.1.2: magic 0x184D2A50 (the first of the 16 skippable magics), then a 4-byte
    // little-endian size; decoders skip the frame.
    private const uint SkippableMagic = 0x184D2A50;

    private static readonly JsonWriterOptions TocJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly byte[] Zeros = new byte[TarArchive.BlockSize];

    // Pooled: a TOC of 100,000 entries is tens of MB, and grown afresh by doubling for every layer
    // it was a twentieth of a copy whose frames all came from the cache (copies and page faults).
    private readonly PooledBufferWriter _toc = new(64 * 1024);
    private readonly Utf8JsonWriter _tocWriter;
    private readonly TarSplitPacker _tarSplit;
    private readonly ArrayBufferWriter<byte> _segment = new(4096);
    private int _padding;

    /// <param name="blob">Its codec (zstd at the layer's level) compresses the TOC and the tar-split lines too.</param>
    public ZstdChunkedWriter(FramedBlob blob, int blockSize, LayerMeter? meter, CancellationToken cancellationToken)
        : base(blob, blockSize, meter, cancellationToken)
    {
        _tarSplit = new TarSplitPacker(blob.CompressApart);
        _tocWriter = new Utf8JsonWriter(_toc, TocJson);
        _tocWriter.WriteStartObject();
        _tocWriter.WriteNumber("version", 1);
        _tocWriter.WriteStartArray("entries");
    }

    public override IReadOnlyDictionary<string, string> Finish()
    {
        // The end-of-archive blocks, with the last file's padding, close the last frame (and are
        // tar-split's last segment, as asm.NewInputTarStream records what follows the last entry).
        _segment.ResetWrittenCount();
        _segment.Write(Zeros.AsSpan(0, _padding));
        _segment.Write(TarArchive.EndOfArchive);
        _tarSplit.AddSegment(_segment.WrittenSpan);
        Blob.Append(TarArchive.EndOfArchive);
        Blob.Cut();

        var tarSplitCompressed = _tarSplit.Finish();
        var tarSplitDigest = Sha256Text.Of(tarSplitCompressed);

        _tocWriter.WriteEndArray();
        _tocWriter.WriteString("tarSplitDigest", tarSplitDigest);
        _tocWriter.WriteEndObject();
        _tocWriter.Flush();
        var manifest = _toc.WrittenSpan;
        using var tocFrame = new PooledBufferWriter(Math.Max(256, manifest.Length / 4));
        Blob.CompressApart(manifest, tocFrame);
        var manifestCompressed = tocFrame.WrittenSpan;
        var manifestChecksum = Sha256Text.Of(manifestCompressed);

        // Each offset is that of the frame's content, past its 8-byte skippable-frame header.
        var manifestOffset = WriteSkippable(manifestCompressed);
        var tarSplitOffset = WriteSkippable(tarSplitCompressed);

        Span<byte> footer = stackalloc byte[FooterSize];
        BinaryPrimitives.WriteUInt64LittleEndian(footer[0..], (ulong)manifestOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[8..], (ulong)manifestCompressed.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[16..], (ulong)manifest.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[24..], ManifestTypeCrfs);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[32..], (ulong)tarSplitOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[40..], (ulong)tarSplitCompressed.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(footer[48..], (ulong)_tarSplit.Length);
        FrameMagic.CopyTo(footer[56..]);
        WriteSkippable(footer);

        var position = string.Create(CultureInfo.InvariantCulture, $"{manifestOffset}:{manifestCompressed.Length}:{manifest.Length}:{ManifestTypeCrfs}");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ManifestChecksumAnnotation] = manifestChecksum,
            [ManifestPositionAnnotation] = position,
            [TarSplitPositionAnnotation] = string.Create(CultureInfo.InvariantCulture, $"{tarSplitOffset}:{tarSplitCompressed.Length}:{_tarSplit.Length}"),
            [LegacyManifestChecksumAnnotation] = manifestChecksum,
            [LegacyManifestPositionAnnotation] = position,
        };
    }

    protected override void WriteHeader(TarHeader header, ReadOnlySpan<byte> headerBytes)
    {
        // tar-split's segment before a file: the padding of the file before, and this header.
        _segment.ResetWrittenCount();
        _segment.Write(Zeros.AsSpan(0, _padding));
        _segment.Write(headerBytes);
        _tarSplit.AddSegment(_segment.WrittenSpan);
        _padding = 0;
        base.WriteHeader(header, headerBytes);
    }

    protected override bool ChecksumsData => true;

    protected override void OnEntry(TarHeader header, FilePayload? payload)
    {
        _tarSplit.AddFile(header.Name, header.Size, header.Size > 0 ? DataCrc64 : null);
        if (payload is not null)
        {
            _padding = TarArchive.PaddingFor(header.Size);
        }

        WriteTocEntries(header, payload);
    }

    /// <summary>
    /// One FileMetadata (JSON field order and omitempty as in internal/minimal), and for a file of
    /// more than one chunk a "chunk" entry per further chunk (compressor.go: the first chunk's
    /// fields go on the file's own entry).
    /// </summary>
    private void WriteTocEntries(TarHeader h, FilePayload? payload)
    {
        var json = _tocWriter;
        var name = Encoding.UTF8.GetString(h.Name);
        json.WriteStartObject();
        json.WriteString("type", TypeName(h.Type));
        json.WriteString("name", name);
        if (h.LinkName.Length > 0)
        {
            json.WriteString("linkName", Encoding.UTF8.GetString(h.LinkName));
        }

        WriteNonZero(json, "mode", h.Mode);
        WriteNonZero(json, "size", h.Size);
        WriteNonZero(json, "uid", h.Uid);
        WriteNonZero(json, "gid", h.Gid);
        if (TocTime.Format(h.MtimeSeconds) is { } modtime)
        {
            json.WriteString("modtime", modtime);
        }

        WriteNonZero(json, "devMajor", h.DevMajor);
        WriteNonZero(json, "devMinor", h.DevMinor);
        if (h.Xattrs.Count > 0)
        {
            json.WriteStartObject("xattrs");
            foreach (var (key, value) in h.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                json.WriteBase64String(key, value);
            }

            json.WriteEndObject();
        }

        var chunks = payload?.Chunks ?? [];
        if (payload is not null)
        {
            json.WriteString("digest", payload.Digest);
            json.WriteNumber("offset", payload.BlobOffset);
            json.WriteNumber("endOffset", payload.BlobEndOffset);
            if (chunks.Count > 1)
            {
                json.WriteNumber("chunkSize", chunks[0].Size);
                json.WriteString("chunkDigest", chunks[0].Digest);
            }
        }

        json.WriteEndObject();
        for (var i = 1; i < chunks.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("type", "chunk");
            json.WriteString("name", name);
            json.WriteNumber("offset", chunks[i].BlobOffset);
            json.WriteNumber("chunkSize", chunks[i].Size);
            json.WriteNumber("chunkOffset", chunks[i].FileOffset);
            json.WriteString("chunkDigest", chunks[i].Digest);
            json.WriteEndObject();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tocWriter.Dispose();
            _tarSplit.Dispose();
            _toc.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void WriteNonZero(Utf8JsonWriter json, string name, long value)
    {
        if (value != 0)
        {
            json.WriteNumber(name, value);
        }
    }

    /// <summary>internal/minimal TarTypes.</summary>
    private static string TypeName(TarEntryType type) => type switch
    {
        TarEntryType.Regular => "reg",
        TarEntryType.HardLink => "hardlink",
        TarEntryType.Symlink => "symlink",
        TarEntryType.CharDevice => "char",
        TarEntryType.BlockDevice => "block",
        TarEntryType.Directory => "dir",
        TarEntryType.Fifo => "fifo",
        _ => throw new InvalidOperationException($"zstd:chunked has no TOC type for tar type '{(char)type}'"),
    };

    /// <summary>Writes a skippable frame around <paramref name="content"/>; returns the content's offset.</summary>
    private long WriteSkippable(ReadOnlySpan<byte> content)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, SkippableMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], checked((uint)content.Length));
        Blob.WriteRaw(header);
        var offset = Blob.Offset;
        Blob.WriteRaw(content);
        return offset;
    }
}
