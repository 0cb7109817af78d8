using System.Buffers;

namespace ParallelDiff.Core.Fs;

/// <summary>Bytes read into an array from the shared pool (<see cref="PlainRead.ReadAllPooled(PlainFile, string, int, int)"/>); the array goes back when disposed. The default is "none".</summary>
public readonly struct PooledBytes(byte[] array, int length) : IDisposable
{
    private readonly byte[]? _array = array;

    /// <summary>Whether there are no bytes at all (a file past the reader's limit), as opposed to an empty file.</summary>
    public bool IsNull => _array is null;

    public int Length { get; } = length;

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
