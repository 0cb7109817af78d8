namespace ParallelDiff.Core.Apply;

/// <summary>
/// Identifies a path unpacked from the current layer as (its resolved parent directory, its base
/// name). containerd keys unpackedPaths by the path with the parent's symlinks resolved
/// (tar.go applyNaive); the parent's device and inode are the same thing without a string path.
/// </summary>
internal readonly struct UnpackedKey : IEquatable<UnpackedKey>
{
    private readonly ulong _device;
    private readonly ulong _inode;
    private readonly byte[] _name;

    public UnpackedKey(ulong device, ulong inode, byte[] name)
    {
        _device = device;
        _inode = inode;
        _name = name;
    }

    public bool Equals(UnpackedKey other) =>
        _device == other._device && _inode == other._inode && _name.AsSpan().SequenceEqual(other._name);

    public override bool Equals(object? obj) => obj is UnpackedKey other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_device);
        hash.Add(_inode);
        hash.AddBytes(_name);
        return hash.ToHashCode();
    }
}
