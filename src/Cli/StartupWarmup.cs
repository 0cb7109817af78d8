using System.Buffers;
using System.Security.Cryptography;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Cli;

/// <summary>
/// First uses that cost a one-file diff tens of milliseconds on the main thread, made early on a
/// second thread instead: OpenSSL's initialisation behind the first sha256 (~13 ms), and the
/// codec's first block (the native zlib load, ZstdSharp's tables and the code it jits). The main
/// thread meanwhile reads the HOCON settings and resolves the snapshot, so on two cores the
/// layer's own first hash and first block find the work done.
/// </summary>
internal static class StartupWarmup
{
    /// <summary>Initialises the sha256 the digests use.</summary>
    public static void Digests() => Start("digests", () => SHA256.HashData(ReadOnlySpan<byte>.Empty));

    /// <summary>Compresses a small block with the codec the layer will use.</summary>
    public static void Codec(LayerCompression kind, int level) => Start("codec", () =>
    {
        using var codec = BlockCodecs.Create(kind, level);
        codec.CompressBlock(new byte[4096], new ArrayBufferWriter<byte>(8192));
    });

    private static void Start(string what, Action work)
    {
        var thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception)
            {
                // Nothing to report: a warm-up only moves work earlier. Whatever failed here fails
                // again where the layer really uses it, and is reported there with its cause.
            }
        })
        {
            IsBackground = true,
            Name = $"warmup {what}",
        };
        thread.Start();
    }
}
