using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;

namespace ParallelDiff.Core;

/// <summary>
/// A list over arrays rented from ArrayPool&lt;T&gt;.Shared, grown by renting a larger one, the
/// last given back on <see cref="Dispose"/> (cleared first when T holds references, so the pool
/// keeps nothing alive). For lists of hundreds of thousands of items made again for every layer:
/// new arrays each time were pages faulted in anew (a held-back blob's pieces, ~12 MB a copy of
/// many-small).
/// </summary>
public sealed class PooledList<T> : IReadOnlyList<T>, IDisposable
{
    private T[] _items;
    private int _count;

    public PooledList(int capacity = 256) => _items = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 16));

    public int Count => _count;

    public T this[int index] => (uint)index < (uint)_count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public void Add(T item)
    {
        if (_count == _items.Length)
        {
            var larger = ArrayPool<T>.Shared.Rent(checked(_items.Length * 2));
            Array.Copy(_items, larger, _count);
            GiveBack(_items);
            _items = larger;
        }

        _items[_count++] = item;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Gives the array back; the list is empty, and must not be used again.</summary>
    public void Dispose()
    {
        GiveBack(_items);
        _items = [];
        _count = 0;
    }

    private static void GiveBack(T[] items)
    {
        if (items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(items, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }
}
