using System.Buffers;
using System.Collections.Concurrent;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// One Zstandard frame per block (RFC 8878 section 3.1: "a compressed stream is made of one or
/// more frames"; decoders concatenate their contents). Each frame records its content size and
/// ends with the optional XXH64-based content checksum (section 3.1.1), so a damaged block is
/// reported rather than silently decoded. ZSTD_compress2 starts every call with a fresh frame and
/// no history, so a reused context yields the same bytes as a new one; contexts are pooled because
/// creating one allocates its match tables.
/// </summary>
internal sealed class ZstdBlockCodec : IBlockCodec
{
    private readonly ConcurrentBag<Compressor> _idle = [];
    private volatile bool _disposed;

    public ZstdBlockCodec(int level) => Level = level;

    public LayerCompression Kind => LayerCompression.Zstd;

    public int Level { get; }

    public int CompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var compressor = Rent();
        try
        {
            var target = output.GetSpan(Compressor.GetCompressBound(block.Length));
            var written = compressor.Wrap(block, target);
            output.Advance(written);
            return written;
        }
        finally
        {
            Return(compressor);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var c))
        {
            c.Dispose();
        }
    }

    private Compressor Rent()
    {
        if (_idle.TryTake(out var c))
        {
            return c;
        }

        c = new Compressor(Level);
        c.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, 1);
        c.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return c;
    }

    private void Return(Compressor c)
    {
        // A context returned while Dispose is draining the bag may slip in after it; Compressor has
        // a finalizer, so that rare one is still freed, only later.
        if (_disposed)
        {
            c.Dispose();
            return;
        }

        _idle.Add(c);
    }
}
