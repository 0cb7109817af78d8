using System.Buffers;
using System.Text;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>Seeded inputs and the two ways of compressing them that must agree.</summary>
public static class TestData
{
    private static readonly string[] Words =
    [
        "usr", "lib", "bin", "share", "etc", "var", "config", "python3", "site-packages", "__init__",
        "ustar", "root", "0000644", "0000755", "libc.so.6", "README", "LICENSE", "import", "return", "def",
    ];

    /// <summary>Text-like bytes, roughly as compressible as a tar of source and config files.</summary>
    public static byte[] Compressible(int length, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length + 64);
        while (text.Length < length)
        {
            text.Append(Words[random.Next(Words.Length)]);
            text.Append(random.Next(4) switch
            {
                0 => "/",
                1 => " ",
                2 => "\n",
                _ => random.Next(100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + "\t",
            });
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Alternating runs of compressible and random bytes, so both stored and compressed units occur.</summary>
    public static byte[] Mixed(int length, int seed)
    {
        var result = new byte[length];
        var random = new Random(seed);
        for (var at = 0; at < length;)
        {
            var run = Math.Min(length - at, random.Next(1, 3 * 1024 * 1024));
            var part = random.Next(2) == 0 ? Compressible(run, random.Next()) : Random(run, random.Next());
            part.CopyTo(result, at);
            at += run;
        }

        return result;
    }

    /// <summary>The sequential reference: BlockCompressingStream fed in one write.</summary>
    public static byte[] CompressSequential(IBlockCodec codec, ReadOnlySpan<byte> input, int blockSize)
    {
        using var blob = new MemoryStream();
        using (var z = new BlockCompressingStream(blob, codec, blockSize, leaveOpen: true))
        {
            z.Write(input);
        }

        return blob.ToArray();
    }

    /// <summary>
    /// What a parallel pipeline does: cut the input at multiples of the block size (an empty input is
    /// one empty block), compress the blocks on <paramref name="workers"/> threads into separate
    /// buffers, concatenate in order.
    /// </summary>
    public static byte[] CompressParallel(IBlockCodec codec, byte[] input, int blockSize, int workers)
    {
        var count = Math.Max(1, (input.Length + blockSize - 1) / blockSize);
        var units = new ArrayBufferWriter<byte>[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
        {
            var start = k * blockSize;
            var block = input.AsSpan(start, Math.Min(blockSize, input.Length - start));
            units[k] = new ArrayBufferWriter<byte>();
            codec.CompressBlock(block, units[k]);
        });
        return units.SelectMany(u => u.WrittenSpan.ToArray()).ToArray();
    }

    public static byte[] Decompress(byte[] blob)
    {
        using var tar = LayerDecompression.OpenDecompressing(new MemoryStream(blob));
        using var result = new MemoryStream();
        tar.CopyTo(result);
        return result.ToArray();
    }
}
