using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace ParallelDiff.Hosting.Tests.Support;

/// <summary>
/// A layer blob read back by .NET's own gzip and tar readers, not through ParallelDiff: its
/// digest and size as the file is, its diffID as the tar inside is, and the tar's entries.
/// </summary>
public sealed record LayerBlob(string Digest, long Size, string DiffId, IReadOnlyList<string> Names, IReadOnlyDictionary<string, byte[]> Files)
{
    /// <summary>Reads a gzip layer (concatenated members, one per block, as ParallelDiff writes them).</summary>
    public static LayerBlob ReadGzip(string path)
    {
        var blob = File.ReadAllBytes(path);
        using var tar = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress))
        {
            gzip.CopyTo(tar);
        }

        var names = new List<string>();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        tar.Position = 0;
        using (var reader = new TarReader(tar, leaveOpen: true))
        {
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                names.Add(entry.Name);
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    using var content = new MemoryStream();
                    entry.DataStream?.CopyTo(content);
                    files.Add(entry.Name, content.ToArray());
                }
            }
        }

        return new LayerBlob(Sha256(blob), blob.Length, Sha256(tar.ToArray()), names, files);
    }

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
