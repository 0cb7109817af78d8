using System.Collections.Concurrent;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>
/// The last few thousand values stored, by path, first in first out. A merged directory's listing
/// resolves each child (an lstat per layer, a metacopy xattr read); the differ then reads that
/// child's xattrs and the tar writer opens it, each a lookup of the same path. Remembering the
/// listing's results answers those lookups without resolving again, in bounded memory whatever
/// the tree's size.
/// </summary>
internal sealed class RecentEntries<T> where T : class
{
    private readonly ConcurrentDictionary<byte[], T> _byPath = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], T>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly ConcurrentQueue<byte[]> _order = new();
    private readonly int _capacity;

    public RecentEntries(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _bySpan = _byPath.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public bool TryGet(ReadOnlySpan<byte> path, out T value) => _bySpan.TryGetValue(path, out value!);

    public void Remember(byte[] path, T value)
    {
        if (!_byPath.TryAdd(path, value))
        {
            return;
        }

        _order.Enqueue(path);
        // Concurrent callers may both evict; the count only needs to stay near the capacity.
        while (_order.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            _byPath.TryRemove(oldest, out _);
        }
    }
}
