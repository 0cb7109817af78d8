using System.Buffers;
using Akka.Streams;
using Akka.Streams.Stage;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Streams;

/// <summary>
/// The sequential half of the tar encoder: lays the tar stream out (each entry's header, its data,
/// the padding to 512 (tar(5)); two zero blocks at the end and nothing more: containerd's writer,
/// spec §3.1) into fixed blocks of the compression block size. Block k is tar bytes [k·B, (k+1)·B),
/// the last block holds the rest, and an empty tar would still yield one empty block: exactly
/// BlockCompressingStream's cut, which depends only on offsets and so makes the blob the same at
/// any parallelism. Known bytes are copied in here; file data is only described (extents), so a
/// 10 GiB file costs a few extents per block, laid out lazily one block per pull; the parallel
/// half (SelectAsync) fills the blocks in order.
/// </summary>
internal sealed class TarBlockAssembler : GraphStageWithMaterializedValue<FlowShape<LayerEntry, TarBlock>, Task<TarEncodingResult>>
{
    private readonly Inlet<LayerEntry> _in = new("tarBlockAssembler.in");
    private readonly Outlet<TarBlock> _out = new("tarBlockAssembler.out");
    private readonly int _blockSize;
    private readonly string _ioDispatcher;
    private readonly ReadAheadGauge _gauge;

    public TarBlockAssembler(int blockSize, string ioDispatcher, ReadAheadGauge gauge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _blockSize = blockSize;
        _ioDispatcher = ioDispatcher;
        _gauge = gauge;
        Shape = new FlowShape<LayerEntry, TarBlock>(_in, _out);
    }

    public override FlowShape<LayerEntry, TarBlock> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("tarBlockAssembler");

    public override ILogicAndMaterializedValue<Task<TarEncodingResult>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var result = new TaskCompletionSource<TarEncodingResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<TarEncodingResult>>(new Logic(this, result), result.Task);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly TarBlockAssembler _stage;
        private readonly TaskCompletionSource<TarEncodingResult> _result;
        private readonly ArrayBufferWriter<byte> _header = new(4096);
        // Full blocks waiting for demand: more than one only when a header outgrows a tiny block.
        private readonly Queue<TarBlock> _full = new();
        private DispatcherTaskScheduler? _io;
        private TarBlock? _current;
        private bool _emittedAny;
        private bool _finished;

        // The file whose data is being laid out, and how far.
        private FileDataReader? _reader;
        private long _size;
        private long _offset;

        private int _entries;
        private long _dataBytes;

        public Logic(TarBlockAssembler stage, TaskCompletionSource<TarEncodingResult> result) : base(stage.Shape)
        {
            _stage = stage;
            _result = result;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: OnUpstreamFailure);
            SetHandler(stage._out, onPull: Advance);
        }

        private int BlockSize => _stage._blockSize;

        // Room left in the block being laid out; a full block is queued at once, so never 0.
        private int Room => BlockSize - (_current?.Length ?? 0);

        public override void PreStart() =>
            _io = new DispatcherTaskScheduler(StreamsConfig.Dispatcher(StreamsConfig.SystemOf(Materializer), _stage._ioDispatcher));

        public override void PostStop()
        {
            // Stopped early (a failure or a cancellation): blocks never handed out go back to the
            // pool, and their files' descriptors close now, not by the finalizer.
            _reader?.Close();
            while (_full.TryDequeue(out var block))
            {
                block.Abandon();
            }

            _current?.Abandon();
            _current = null;
            _result.TrySetException(new AbruptStageTerminationException(this));
        }

        private void OnPush()
        {
            var entry = Grab(_stage._in);
            _header.ResetWrittenCount();
            TarHeaderEncoder.Write(entry.Header, _header);
            Append(_header.WrittenSpan);
            _entries++;
            if (entry.HasData)
            {
                _size = entry.Header.Size;
                _offset = 0;
                _dataBytes += _size;
                _reader = new FileDataReader(entry, ExtentsFor(_size));
            }

            if (IsAvailable(_stage._out))
            {
                Advance();
            }
        }

        private void OnUpstreamFinish()
        {
            // Entries still being laid out finish first; Advance ends the archive after them.
            if (IsAvailable(_stage._out))
            {
                Advance();
            }
        }

        private void OnUpstreamFailure(Exception cause)
        {
            _result.TrySetException(cause);
            FailStage(cause);
        }

        /// <summary>Pushes the next full block, laying out as much as that takes, or asks for the next entry.</summary>
        private void Advance()
        {
            TarBlock? block;
            while (!_full.TryDequeue(out block))
            {
                if (_reader is not null)
                {
                    LayOutData();
                }
                else if (IsClosed(_stage._in) && !_finished)
                {
                    Finish();
                }
                else
                {
                    if (!_finished && !HasBeenPulled(_stage._in))
                    {
                        Pull(_stage._in);
                    }

                    return;
                }
            }

            Push(_stage._out, block);
            _emittedAny = true;
            if (_finished && _full.Count == 0)
            {
                _result.TrySetResult(new TarEncodingResult(_entries, _dataBytes));
                CompleteStage();
            }
        }

        /// <summary>The current file's data up to the end of the block (then its padding, once it is all laid out).</summary>
        private void LayOutData()
        {
            var length = (int)Math.Min(Room, _size - _offset);
            Current().AppendData(_reader!, _offset, length);
            _offset += length;
            QueueIfFull();
            if (_offset == _size)
            {
                _reader = null;
                AppendZeros(TarArchive.PaddingFor(_size));
            }
        }

        /// <summary>The end marker, and the last block: the rest, or the one empty block of an empty stream.</summary>
        private void Finish()
        {
            Append(TarArchive.EndOfArchive);
            if (_current is not null || (!_emittedAny && _full.Count == 0))
            {
                _full.Enqueue(Current());
                _current = null;
            }

            _finished = true;
        }

        /// <summary>How many blocks a file's data starting at the current position touches.</summary>
        private int ExtentsFor(long size) =>
            size <= Room ? 1 : 1 + checked((int)((size - Room + BlockSize - 1) / BlockSize));

        private void Append(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                var take = Math.Min(Room, bytes.Length);
                Current().Append(bytes[..take]);
                bytes = bytes[take..];
                QueueIfFull();
            }
        }

        private void AppendZeros(int count)
        {
            while (count > 0)
            {
                var take = Math.Min(Room, count);
                Current().AppendZeros(take);
                count -= take;
                QueueIfFull();
            }
        }

        private TarBlock Current() =>
            _current ??= new TarBlock(LayerBufferPool.Rent(BlockSize), _io!, _stage._gauge);

        private void QueueIfFull()
        {
            if (_current!.Length == BlockSize)
            {
                _full.Enqueue(_current);
                _current = null;
            }
        }
    }
}
