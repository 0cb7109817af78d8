using System.Buffers;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// The sequential tar encoder: headers, data padded to 512, and exactly two zero blocks at the end
/// (containerd's writer never pads to a 10 KiB record, spec §3.1).
/// </summary>
public sealed class TarStreamWriter : ILayerEntrySink
{
    private readonly Stream _output;
    private readonly CancellationToken _cancellationToken;
    private readonly LayerMeter? _meter;
    private readonly ArrayBufferWriter<byte> _header = new(4096);
    private static readonly byte[] Zeros = new byte[TarArchive.BlockSize];

    /// <param name="meter">Counts each file's data once it is in the tar; optional.</param>
    public TarStreamWriter(Stream output, CancellationToken cancellationToken, LayerMeter? meter = null)
    {
        _output = output;
        _cancellationToken = cancellationToken;
        _meter = meter;
    }

    /// <summary>Bytes of file data copied (the "bytes in" of a layer).</summary>
    public long DataBytes { get; private set; }

    public void Write(LayerEntry entry)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        _header.ResetWrittenCount();
        TarHeaderEncoder.Write(entry.Header, _header);
        _output.Write(_header.WrittenSpan);
        if (entry.HasData)
        {
            FileDataCopier.Copy(entry.DataSource!, entry.DataPath!, entry.Header.Size, _output, _cancellationToken, entry.DataStatus);
            _output.Write(Zeros, 0, TarArchive.PaddingFor(entry.Header.Size));
            DataBytes += entry.Header.Size;
            _meter?.AddIn(entry.Header.Size);
        }
    }

    public void Finish() => _output.Write(TarArchive.EndOfArchive);
}
