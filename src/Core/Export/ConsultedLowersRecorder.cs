using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// An <see cref="IFileSystem"/> that passes every call on and records the lower paths an export
/// consulted (<see cref="ConsultedLowers"/>): each path under a lower's root that any call touches,
/// each entry a listing of a lower directory returns, and every ancestor of those up to the root.
/// Paths under the other roots (the upper, which the cache key prints whole) pass unrecorded.
/// <para>
/// A race with a lower changing while it is read is closed this way: the first time a path is
/// recorded, its stat print is taken before the call goes on (a listed entry's is the listing's own
/// lstat), so whatever the differ reads of it comes after that print; <see cref="Finish"/> prints
/// every path again, and one that no longer matches means the layer may hold a tree that never
/// was. Thread-safe: the sharded walk calls it from many threads; a path's first print is the one
/// kept, and no call on the path goes on before it is.
/// </para>
/// </summary>
public sealed partial class ConsultedLowersRecorder : IFileSystem
{
    private readonly IFileSystem _inner;
    private readonly byte[][] _lowerRoots;
    private readonly byte[][] _otherRoots;
    private readonly ConcurrentDictionary<byte[], byte[]> _prints = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _printsBySpan;

    /// <summary>The first path a call named outside every root (or not in canonical form), or null.</summary>
    private byte[]? _outside;

    /// <param name="inner">The system calls to pass on to.</param>
    /// <param name="lowerRoots">The lowers' canonical roots (no symbolic link in any component), as the cache key has them.</param>
    /// <param name="otherRoots">The snapshot's other canonical roots (its upper): read, not recorded.</param>
    public ConsultedLowersRecorder(IFileSystem inner, IEnumerable<byte[]> lowerRoots, IEnumerable<byte[]> otherRoots)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(lowerRoots);
        ArgumentNullException.ThrowIfNull(otherRoots);
        _inner = inner;
        _lowerRoots = lowerRoots.Distinct(ByteArrayComparer.Instance).ToArray();
        _otherRoots = [.. otherRoots];
        _printsBySpan = _prints.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>How many lower paths are recorded so far.</summary>
    public int Count => _prints.Count;

    /// <summary>Whether <paramref name="path"/> (absolute) is recorded.</summary>
    public bool Recorded(ReadOnlySpan<byte> path) => _printsBySpan.ContainsKey(path);

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
    {
        Consult(path);
        return _inner.TryLstat(path, out status, out errno);
    }

    public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        var lower = Consult(path);
        var names = _inner.ReadDirectory(path);
        if (lower)
        {
            // Only the names came back: each is printed now, after the listing; the directory's
            // own print (taken before) covers which names there were.
            foreach (var name in names)
            {
                Record(PathBytes.Join(path, name));
            }
        }

        return names;
    }

    public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames)
    {
        var lower = Consult(path);
        var entries = _inner.ListDirectory(path, withXattrNames);
        if (lower)
        {
            foreach (var entry in entries)
            {
                RecordListed(PathBytes.Join(path, entry.Name), entry);
            }
        }

        return entries;
    }

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
    {
        Consult(path);
        return _inner.GetXattr(path, name);
    }

    public List<string> ListXattrs(ReadOnlySpan<byte> path)
    {
        Consult(path);
        return _inner.ListXattrs(path);
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path)
    {
        Consult(path);
        return _inner.ReadLink(path);
    }

    public SafeFileHandle OpenRead(ReadOnlySpan<byte> path)
    {
        Consult(path);
        return _inner.OpenRead(path);
    }

    public SafeFileHandle OpenRead(ReadOnlySpan<byte> path, LastDirectory lastDirectory)
    {
        Consult(path);
        return _inner.OpenRead(path, lastDirectory);
    }
}
