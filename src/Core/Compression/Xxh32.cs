using System.Buffers.Binary;
using System.Numerics;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// XXH32 (xxHash specification, "xxh32" algorithm), which the LZ4 frame format uses for its header
/// checksum byte and its optional block and content checksums. Written from the algorithm
/// description: four lanes over 16-byte stripes, then the tail, then the avalanche.
/// Incremental, because a frame's content checksum covers blocks that are decoded one at a time.
/// </summary>
internal sealed class Xxh32
{
    private const uint Prime1 = 0x9E3779B1;
    private const uint Prime2 = 0x85EBCA77;
    private const uint Prime3 = 0xC2B2AE3D;
    private const uint Prime4 = 0x27D4EB2F;
    private const uint Prime5 = 0x165667B1;

    private readonly byte[] _stripe = new byte[16];
    private uint _seed;
    private uint _v1;
    private uint _v2;
    private uint _v3;
    private uint _v4;
    private int _stripeFill;
    private long _total;

    public Xxh32(uint seed = 0) => Reset(seed);

    public static uint Hash(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var h = new Xxh32(seed);
        h.Append(data);
        return h.Digest();
    }

    public void Reset(uint seed = 0)
    {
        _seed = seed;
        _v1 = seed + Prime1 + Prime2;
        _v2 = seed + Prime2;
        _v3 = seed;
        _v4 = seed - Prime1;
        _stripeFill = 0;
        _total = 0;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _total += data.Length;
        if (_stripeFill > 0)
        {
            var take = Math.Min(16 - _stripeFill, data.Length);
            data[..take].CopyTo(_stripe.AsSpan(_stripeFill));
            _stripeFill += take;
            data = data[take..];
            if (_stripeFill < 16)
            {
                return;
            }

            Consume(_stripe);
            _stripeFill = 0;
        }

        while (data.Length >= 16)
        {
            Consume(data);
            data = data[16..];
        }

        data.CopyTo(_stripe);
        _stripeFill = data.Length;
    }

    /// <summary>The hash of everything appended so far; appending may continue afterwards.</summary>
    public uint Digest()
    {
        var acc = _total >= 16
            ? BitOperations.RotateLeft(_v1, 1) + BitOperations.RotateLeft(_v2, 7)
                + BitOperations.RotateLeft(_v3, 12) + BitOperations.RotateLeft(_v4, 18)
            : _seed + Prime5;

        // The spec adds the input length modulo 2^32.
        acc += unchecked((uint)_total);

        ReadOnlySpan<byte> tail = _stripe.AsSpan(0, _stripeFill);
        while (tail.Length >= 4)
        {
            acc = BitOperations.RotateLeft(acc + (BinaryPrimitives.ReadUInt32LittleEndian(tail) * Prime3), 17) * Prime4;
            tail = tail[4..];
        }

        foreach (var b in tail)
        {
            acc = BitOperations.RotateLeft(acc + (b * Prime5), 11) * Prime1;
        }

        acc ^= acc >> 15;
        acc *= Prime2;
        acc ^= acc >> 13;
        acc *= Prime3;
        acc ^= acc >> 16;
        return acc;
    }

    private static uint Round(uint lane, uint input) => BitOperations.RotateLeft(lane + (input * Prime2), 13) * Prime1;

    private void Consume(ReadOnlySpan<byte> stripe)
    {
        _v1 = Round(_v1, BinaryPrimitives.ReadUInt32LittleEndian(stripe));
        _v2 = Round(_v2, BinaryPrimitives.ReadUInt32LittleEndian(stripe[4..]));
        _v3 = Round(_v3, BinaryPrimitives.ReadUInt32LittleEndian(stripe[8..]));
        _v4 = Round(_v4, BinaryPrimitives.ReadUInt32LittleEndian(stripe[12..]));
    }
}
