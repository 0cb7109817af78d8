using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Micro.Benchmarks;

/// <summary>TarHeaderEncoder.Write for the three shapes a layer's headers take.</summary>
public class TarHeaderBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private TarHeader _ustar = null!;
    private TarHeader _longName = null!;
    private TarHeader _withXattr = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ustar = new TarHeader
        {
            Name = "usr/lib/x86_64-linux-gnu/libssl.so.3"u8.ToArray(), Type = TarEntryType.Regular,
            Mode = 0x1a4 /* 0644 */, Size = 123_456, MtimeSeconds = 1_700_000_000,
        };
        // No '/' splits it into the 155-byte prefix and 100-byte name: a PAX path record.
        _longName = new TarHeader
        {
            Name = Encoding.ASCII.GetBytes("usr/share/doc/" + new string('x', 140) + "/changelog.Debian.gz"), Type = TarEntryType.Regular,
            Mode = 0x1a4 /* 0644 */, Size = 4_096, MtimeSeconds = 1_700_000_000,
        };
        _withXattr = new TarHeader
        {
            Name = "usr/bin/ping"u8.ToArray(), Type = TarEntryType.Regular, Mode = 0x1ed /* 0755 */, Size = 90_000, MtimeSeconds = 1_700_000_000,
            Xattrs = [new("security.capability", Convert.FromHexString("0100000200200000000000000000000000000000"))],
        };
    }

    [Benchmark(Baseline = true)]
    public int Ustar() => Write(_ustar);

    [Benchmark]
    public int PaxLongName() => Write(_longName);

    [Benchmark]
    public int PaxXattr() => Write(_withXattr);

    private int Write(TarHeader header)
    {
        _output.ResetWrittenCount();
        return TarHeaderEncoder.Write(header, _output);
    }
}
