using System.Text;

namespace ParallelDiff.Micro.Benchmarks;

/// <summary>Seeded block contents that compress like a layer's tar stream: text with binary stretches.</summary>
internal static class SampleData
{
    public static byte[] LayerLikeBlock(int size, int seed = 42)
    {
        var random = new Random(seed);
        var words = Enumerable.Range(0, 4000)
            .Select(_ => new string(Enumerable.Range(0, random.Next(1, 10)).Select(_ => (char)('a' + random.Next(26))).ToArray()))
            .ToArray();
        var block = new byte[size];
        var at = 0;
        while (at < size)
        {
            if (random.NextDouble() < 0.2)
            {
                // A binary stretch: small integers and random bytes, as in an ELF file.
                var n = Math.Min(size - at, random.Next(512, 8192));
                for (var i = 0; i < n; i++)
                {
                    block[at + i] = (byte)(i % 4 < 2 ? random.Next(256) : 0);
                }

                at += n;
                continue;
            }

            // Zipf-like word choice: low indexes far more often.
            var word = words[(int)(words.Length * Math.Pow(random.NextDouble(), 3))];
            var bytes = Encoding.ASCII.GetBytes(word + (random.Next(10) == 0 ? "\n" : " "));
            var take = Math.Min(bytes.Length, size - at);
            bytes.AsSpan(0, take).CopyTo(block.AsSpan(at));
            at += take;
        }

        return block;
    }
}
