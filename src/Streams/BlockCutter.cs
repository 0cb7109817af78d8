using System.Buffers;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Regroups a byte stream into the blocks BlockCompressingStream compresses: block k is bytes
/// [k·B, (k+1)·B), the last block holds the rest, and an empty stream still yields one empty
/// block (so every blob decodes as a valid stream). The cut depends only on offsets, never on how
/// upstream chunked the bytes, which is what makes the blob the same at any parallelism.
/// </summary>
internal sealed class BlockCutter : GraphStage<FlowShape<ByteString, Block>>
{
    private readonly Inlet<ByteString> _in = new("blockCutter.in");
    private readonly Outlet<Block> _out = new("blockCutter.out");
    private readonly CompressionSettings _compression;
    private readonly string _cpuDispatcher;
    private readonly int _blockSize;

    public BlockCutter(CompressionSettings compression, string cpuDispatcher)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(compression.BlockSize, 1);
        _compression = compression;
        _cpuDispatcher = cpuDispatcher;
        _blockSize = compression.BlockSize;
        Shape = new FlowShape<ByteString, Block>(_in, _out);
    }

    public override FlowShape<ByteString, Block> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("blockCutter");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic
    {
        private readonly BlockCutter _stage;
        private BlockCompressor? _compressor;
        private byte[]? _buffer;
        private int _filled;
        private bool _emittedAny;

        public Logic(BlockCutter stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish);
            SetHandler(stage._out, onPull: () => Pull(stage._in));
        }

        public override void PreStart()
        {
            var cpu = StreamsConfig.Dispatcher(StreamsConfig.SystemOf(Materializer), _stage._cpuDispatcher);
            // One codec per materialization: it pools compression contexts across its blocks.
            _compressor = new BlockCompressor(BlockCodecs.Create(_stage._compression.Kind, _stage._compression.Level), new DispatcherTaskScheduler(cpu));
        }

        public override void PostStop()
        {
            _compressor?.Release();
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }

        private void OnPush()
        {
            List<Block>? full = null;
            // Not a copy: every ByteString of the pipeline wraps one array.
            var data = Grab(_stage._in).ToReadOnlySpan();
            while (!data.IsEmpty)
            {
                _buffer ??= ArrayPool<byte>.Shared.Rent(_stage._blockSize);
                var take = Math.Min(_stage._blockSize - _filled, data.Length);
                data[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                data = data[take..];
                if (_filled == _stage._blockSize)
                {
                    (full ??= []).Add(TakeBlock());
                }
            }

            if (full is null)
            {
                Pull(_stage._in);
            }
            else
            {
                // Downstream's pull is the one this push answers; the next pull goes upstream again.
                EmitMultiple(_stage._out, full);
            }
        }

        private void OnUpstreamFinish()
        {
            // Only Finish cuts a short block (BlockCompressingStream's rule), and the empty stream
            // still gets its one empty unit.
            if (_filled > 0 || !_emittedAny)
            {
                _buffer ??= ArrayPool<byte>.Shared.Rent(Math.Max(1, _filled));
                Emit(_stage._out, TakeBlock(), () => Complete(_stage._out));
            }
            else
            {
                // Complete, not CompleteStage: blocks still being emitted go out first.
                Complete(_stage._out);
            }
        }

        private Block TakeBlock()
        {
            var block = _compressor!.Hand(_buffer!, _filled);
            _buffer = null;
            _filled = 0;
            _emittedAny = true;
            return block;
        }
    }
}
