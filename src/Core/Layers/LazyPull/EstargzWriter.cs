using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// eStargz, as stargz-snapshotter's estargz package writes it (estargz.go Writer.appendTar,
/// gzip.go GzipCompressor.WriteTOCAndFooter, build.go): a gzip member per run of headers and per
/// chunk of file data, the first entry the ".no.prefetch.landmark" (build.go sortEntries, no
/// prioritized files), the last the "stargz.index.json" TOC as a tar entry in a member of its own
/// with the end-of-archive blocks, then the 51-byte footer member naming the TOC's offset. The tar
/// is therefore not the plain one: the diffID is of this tar, TOC entry included, and the TOC's
/// sha256 goes in the containerd.io/snapshot/stargz/toc.digest annotation, which is what the
/// snapshotter verifies the TOC against.
/// </summary>
internal sealed class EstargzWriter : PerFileFrameWriter
{
    /// <summary>types.go: TOCJSONDigestAnnotation, StoreUncompressedSizeAnnotation.</summary>
    public const string TocDigestAnnotation = "containerd.io/snapshot/stargz/toc.digest";
    public const string UncompressedSizeAnnotation = "io.containers.estargz.uncompressed-size";

    /// <summary>types.go: TOCTarName, NoPrefetchLandmark, PrefetchLandmark, landmarkContents.</summary>
    public const string TocName = "stargz.index.json";
    public const string NoPrefetchLandmark = ".no.prefetch.landmark";
    public const string PrefetchLandmark = ".prefetch.landmark";
    private const byte LandmarkContents = 0x0F;

    /// <summary>types.go FooterSize.</summary>
    public const int FooterSize = 51;

    // Go's json.MarshalIndent(toc, "", "\t").
    private static readonly JsonWriterOptions TocJson = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        SkipValidation = true,
    };

    // Pooled: a TOC of 100,000 entries is tens of MB, and grown afresh by doubling for every layer
    // it was a twentieth of a copy whose frames all came from the cache (copies and page faults).
    private readonly PooledBufferWriter _toc = new(64 * 1024);
    private readonly Utf8JsonWriter _tocWriter;
    private readonly ArrayBufferWriter<byte> _header = new(1024);

    public EstargzWriter(FramedBlob blob, int blockSize, LayerMeter? meter, CancellationToken cancellationToken)
        : base(blob, blockSize, meter, cancellationToken)
    {
        _tocWriter = new Utf8JsonWriter(_toc, TocJson);
        _tocWriter.WriteStartObject();
        _tocWriter.WriteNumber("version", 1);
        _tocWriter.WriteStartArray("entries");

        // The landmark first: no file is marked for prefetch (build.go: Name, Typeflag, Size only).
        var landmark = new TarHeader { Name = Encoding.UTF8.GetBytes(NoPrefetchLandmark), Type = TarEntryType.Regular, Size = 1 };
        _header.ResetWrittenCount();
        TarHeaderEncoder.Write(landmark, _header);
        Blob.Append(_header.WrittenSpan);
        var payload = WritePayload(1, output => output.WriteByte(LandmarkContents));
        OnEntry(landmark, payload);
    }

    /// <summary>The TOC's "sha256:…", once <see cref="Finish"/> has run.</summary>
    public string TocDigest { get; private set; } = string.Empty;

    protected override bool PaddingInDataFrame => true;

    public override IReadOnlyDictionary<string, string> Finish()
    {
        _tocWriter.WriteEndArray();
        _tocWriter.WriteEndObject();
        _tocWriter.Flush();
        var toc = _toc.WrittenSpan;
        TocDigest = Sha256Text.Of(toc);

        // WriteTOCAndFooter: a member of its own holding the TOC's tar entry (Typeflag, Name and
        // Size only, as Go's tar.Writer writes them) and the end of the archive.
        var tocOffset = Blob.Cut();
        _header.ResetWrittenCount();
        TarHeaderEncoder.Write(new TarHeader { Name = Encoding.UTF8.GetBytes(TocName), Type = TarEntryType.Regular, Size = toc.Length }, _header);
        Blob.Append(_header.WrittenSpan);
        Blob.Append(toc);
        Blob.Append(new byte[TarArchive.PaddingFor(toc.Length)]);
        Blob.Append(TarArchive.EndOfArchive);
        Blob.Cut();
        Blob.WriteRaw(Footer(tocOffset));

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TocDigestAnnotation] = TocDigest,
            [UncompressedSizeAnnotation] = Blob.TarLength.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// gzip.go gzipFooterBytes: an empty gzip member (Go's gzip.Writer at NoCompression: MTIME 0,
    /// XFL 0, OS 255) whose FEXTRA field (RFC 1952 section 2.3.1.1) is the subfield 'S','G' holding
    /// "%016xSTARGZ" of the TOC's offset; its body is a final stored block of no bytes.
    /// </summary>
    public static byte[] Footer(long tocOffset)
    {
        var footer = new byte[FooterSize];
        footer[0] = 0x1F;
        footer[1] = 0x8B;
        footer[2] = 8; // CM deflate
        footer[3] = 4; // FLG: FEXTRA
        // MTIME 0 (bytes 4-7), XFL 0
        footer[9] = 255; // OS unknown
        var subfield = Encoding.ASCII.GetBytes(tocOffset.ToString("x16", CultureInfo.InvariantCulture) + "STARGZ");
        BinaryPrimitives.WriteUInt16LittleEndian(footer.AsSpan(10), (ushort)(4 + subfield.Length)); // XLEN
        footer[12] = (byte)'S';
        footer[13] = (byte)'G';
        BinaryPrimitives.WriteUInt16LittleEndian(footer.AsSpan(14), (ushort)subfield.Length);
        subfield.CopyTo(footer.AsSpan(16));

        // RFC 1951 section 3.2.4: BFINAL=1 BTYPE=00, LEN 0, NLEN 0xFFFF; then CRC-32 0 and ISIZE 0.
        ReadOnlySpan<byte> emptyStored = [0x01, 0x00, 0x00, 0xFF, 0xFF];
        emptyStored.CopyTo(footer.AsSpan(16 + subfield.Length));
        return footer;
    }

    protected override void OnEntry(TarHeader header, FilePayload? payload)
    {
        var name = Encoding.UTF8.GetString(header.Name);
        if (name == TocName || name == "./" + TocName || name == "/" + TocName)
        {
            // appendTar skips an existing TOC; ours would be shadowed by it, so it is an error.
            throw new InvalidOperationException($"an eStargz layer cannot carry a file named {TocName} at its root");
        }

        WriteTocEntries(header, payload);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tocWriter.Dispose();
            _toc.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// One TOCEntry (types.go field order, omitempty), and a "chunk" entry per further chunk of a
    /// file; every chunk has its offset, chunkOffset and chunkDigest, and chunkSize unless it is a
    /// file's last, shorter one (appendTar). Regular files carry the digest of all their data, empty
    /// ones included.
    /// </summary>
    private void WriteTocEntries(TarHeader h, FilePayload? payload)
    {
        var json = _tocWriter;
        var name = Encoding.UTF8.GetString(h.Name);
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("type", TypeName(h.Type));
        if (h.Type == TarEntryType.Regular && h.Size != 0)
        {
            json.WriteNumber("size", h.Size);
        }

        // formatModtime: none for the zero time or the epoch.
        if (h.MtimeSeconds != 0 && TocTime.Format(h.MtimeSeconds) is { } modtime)
        {
            json.WriteString("modtime", modtime);
        }

        if (h.LinkName.Length > 0)
        {
            json.WriteString("linkName", Encoding.UTF8.GetString(h.LinkName));
        }

        WriteNonZero(json, "mode", h.Mode);
        WriteNonZero(json, "uid", h.Uid);
        WriteNonZero(json, "gid", h.Gid);
        var chunks = payload?.Chunks ?? [];
        if (chunks.Count > 0)
        {
            json.WriteNumber("offset", chunks[0].BlobOffset);
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

        if (h.Type == TarEntryType.Regular)
        {
            json.WriteString("digest", payload?.Digest ?? "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        }

        for (var i = 0; i < chunks.Count; i++)
        {
            if (i > 0)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("type", "chunk");
                json.WriteNumber("offset", chunks[i].BlobOffset);
            }

            WriteNonZero(json, "chunkOffset", chunks[i].FileOffset);
            if (chunks[i].Size == BlockSize)
            {
                json.WriteNumber("chunkSize", chunks[i].Size);
            }

            json.WriteString("chunkDigest", chunks[i].Digest);
            json.WriteEndObject();
        }

        if (chunks.Count == 0)
        {
            json.WriteEndObject();
        }
    }

    private static void WriteNonZero(Utf8JsonWriter json, string name, long value)
    {
        if (value != 0)
        {
            json.WriteNumber(name, value);
        }
    }

    /// <summary>appendTar's Typeflag switch.</summary>
    private static string TypeName(TarEntryType type) => type switch
    {
        TarEntryType.Regular => "reg",
        TarEntryType.HardLink => "hardlink",
        TarEntryType.Symlink => "symlink",
        TarEntryType.CharDevice => "char",
        TarEntryType.BlockDevice => "block",
        TarEntryType.Directory => "dir",
        TarEntryType.Fifo => "fifo",
        _ => throw new InvalidOperationException($"eStargz has no TOC type for tar type '{(char)type}'"),
    };
}
