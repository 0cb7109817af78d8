using System.Security.Cryptography;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// The on-disk tier of the <see cref="FrameCache"/> (under --cache DIR, in frames/): one file per
/// frame, CODEC-LEVEL/HH/HEX-LENGTH, holding a magic, the sha256 of the compressed frame and the
/// frame. An entry is never trusted without that digest: one that does not match (a torn write
/// after a crash, a flipped bit) is removed and the frame compressed again. Entries are written to
/// a temporary name and renamed, so concurrent exports sharing the directory see whole entries or
/// none; a hit moves the entry's mtime, which is what <see cref="Export.CacheTrim"/> evicts by (least
/// recently used first). Not synced: losing an entry costs only a compression.
/// </summary>
public sealed class DiskFrames(string directory, int minFrameBytes)
{
    private static readonly byte[] Magic = "PDFRAME1"u8.ToArray();
    private const int HeaderSize = 8 + 32;
    private int _rejected;
    private long _added;

    public string Directory { get; } = directory;

    /// <summary>Frames with fewer uncompressed bytes are not kept here: compressing them costs less than a file (paralleldiff.cache.disk-frame-min).</summary>
    public int MinFrameBytes { get; } = minFrameBytes;

    /// <summary>Entries found damaged and removed.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>Bytes of frame files this object added to the directory: none means it cannot have outgrown its cap because of us.</summary>
    public long AddedBytes => Interlocked.Read(ref _added);

    public bool Keeps(int uncompressedLength) => uncompressedLength >= MinFrameBytes;

    public bool TryRead(string key, out byte[] frame)
    {
        frame = [];
        var path = PathOf(key);
        byte[] entry;
        try
        {
            entry = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable entry is a miss, not a failed layer: the frame is compressed instead.
            return false;
        }

        if (entry.Length < HeaderSize || !entry.AsSpan(0, 8).SequenceEqual(Magic)
            || !SHA256.HashData(entry.AsSpan(HeaderSize)).AsSpan().SequenceEqual(entry.AsSpan(8, 32)))
        {
            Interlocked.Increment(ref _rejected);
            TryDelete(path);
            return false;
        }

        frame = entry[HeaderSize..];
        Fs.RecentUse.Mark(path);
        return true;
    }

    public void Write(string key, ReadOnlySpan<byte> frame)
    {
        var path = PathOf(key);
        if (File.Exists(path))
        {
            return;
        }

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Fs.TempNames.Beside(path);
        try
        {
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                Span<byte> header = stackalloc byte[HeaderSize];
                Magic.CopyTo(header);
                SHA256.HashData(frame, header[8..]);
                output.Write(header);
                output.Write(frame);
            }

            File.Move(temporary, path, overwrite: true);
            Interlocked.Add(ref _added, HeaderSize + frame.Length);
        }
        catch (IOException)
        {
            // A full disk or a removed directory loses a cache entry, never the layer.
            TryDelete(temporary);
        }
    }

    /// <summary>Where the entry for <paramref name="key"/> (as <see cref="FrameCache.KeyOf"/> makes it) lives.</summary>
    public string PathOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var codec = key[..slash];
        var content = key[(slash + 1)..];
        var colon = content.IndexOf(':', StringComparison.Ordinal);
        var name = content[(colon + 1)..].Replace('+', '-');
        return Path.Combine(Directory, codec, name[..2], name);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
