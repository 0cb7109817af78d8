using System.Buffers;

namespace ParallelDiff.Core.Native;

/// <summary>A NUL-terminated, pinned copy of a byte path for one system call.</summary>
internal unsafe ref struct CPath
{
    private readonly byte[] _rented;
    private System.Runtime.InteropServices.GCHandle _pin;

    public CPath(ReadOnlySpan<byte> path)
    {
        if (path.Contains((byte)0))
        {
            throw new ArgumentException("a path cannot contain a NUL byte", nameof(path));
        }

        _rented = ArrayPool<byte>.Shared.Rent(path.Length + 1);
        path.CopyTo(_rented);
        _rented[path.Length] = 0;
        _pin = System.Runtime.InteropServices.GCHandle.Alloc(_rented, System.Runtime.InteropServices.GCHandleType.Pinned);
        Pointer = (byte*)_pin.AddrOfPinnedObject();
    }

    public byte* Pointer { get; }

    public void Dispose()
    {
        _pin.Free();
        ArrayPool<byte>.Shared.Return(_rented);
    }
}
