using System.Buffers;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Streams;

/// <summary>
/// The sequential half of the tar encoder: for each entry its header bytes, then its data as
/// chunk-sized read requests, then the padding to 512 (tar(5)); two zero blocks at the end and
/// nothing more (containerd's writer, spec §3.1). Reads are only described here, lazily one per
/// pull, so a 10 GiB file is 10 Ki small requests, never 10 GiB in memory; the parallel half
/// (SelectAsync) performs them in order.
/// </summary>
internal sealed class TarFraming : GraphStageWithMaterializedValue<FlowShape<LayerEntry, TarPiece>, Task<TarEncodingResult>>
{
    private static readonly ByteString Zeros = ByteString.FromBytes(new byte[TarArchive.BlockSize]);
    private static readonly ByteString EndOfArchive = ByteString.FromBytes(TarArchive.EndOfArchive.ToArray());

    private readonly Inlet<LayerEntry> _in = new("tarFraming.in");
    private readonly Outlet<TarPiece> _out = new("tarFraming.out");
    private readonly int _chunkSize;
    private readonly string _ioDispatcher;
    private readonly ReadAheadGauge _gauge;

    public TarFraming(int chunkSize, string ioDispatcher, ReadAheadGauge gauge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _chunkSize = chunkSize;
        _ioDispatcher = ioDispatcher;
        _gauge = gauge;
        Shape = new FlowShape<LayerEntry, TarPiece>(_in, _out);
    }

    public override FlowShape<LayerEntry, TarPiece> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("tarFraming");

    public override ILogicAndMaterializedValue<Task<TarEncodingResult>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var result = new TaskCompletionSource<TarEncodingResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<TarEncodingResult>>(new Logic(this, result), result.Task);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly TarFraming _stage;
        private readonly TaskCompletionSource<TarEncodingResult> _result;
        private readonly ArrayBufferWriter<byte> _header = new(4096);
        private DispatcherTaskScheduler? _io;
        private FileDataReader? _reader;
        private long _size;
        private long _offset;
        private int _entries;
        private long _dataBytes;

        public Logic(TarFraming stage, TaskCompletionSource<TarEncodingResult> result) : base(stage.Shape)
        {
            _stage = stage;
            _result = result;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: OnUpstreamFailure);
            SetHandler(stage._out, onPull: Advance);
        }

        public override void PreStart() =>
            _io = new DispatcherTaskScheduler(StreamsConfig.Dispatcher(StreamsConfig.SystemOf(Materializer), _stage._ioDispatcher));

        public override void PostStop()
        {
            // Stopped mid-file (a failure or a cancellation): its descriptor is closed now, not by
            // the finalizer. Files whose reads were all handed out close after their last chunk.
            _reader?.Close();
            _result.TrySetException(new AbruptStageTerminationException(this));
        }

        private void OnPush()
        {
            var entry = Grab(_stage._in);
            _header.ResetWrittenCount();
            TarHeaderEncoder.Write(entry.Header, _header);
            _entries++;
            if (entry.HasData)
            {
                _reader = new FileDataReader(entry, _stage._chunkSize, _io!, _stage._gauge);
                _size = entry.Header.Size;
                _offset = 0;
                _dataBytes += _size;
            }

            Push(_stage._out, TarPiece.Of(ByteString.FromBytes(_header.WrittenSpan.ToArray())));
        }

        private void OnUpstreamFinish()
        {
            // Entries still being cut into reads finish first; Advance ends the archive after them.
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

        /// <summary>Pushes the next piece of the current file, or asks for the next entry.</summary>
        private void Advance()
        {
            if (_reader is { } reader)
            {
                if (_offset < _size)
                {
                    var length = (int)Math.Min(_stage._chunkSize, _size - _offset);
                    Push(_stage._out, TarPiece.Read(reader, _offset, length));
                    _offset += length;
                    return;
                }

                _reader = null;
                var padding = TarArchive.PaddingFor(_size);
                if (padding > 0)
                {
                    Push(_stage._out, TarPiece.Of(Zeros.Slice(0, padding)));
                    return;
                }
            }

            if (IsClosed(_stage._in))
            {
                Push(_stage._out, TarPiece.Of(EndOfArchive));
                _result.TrySetResult(new TarEncodingResult(_entries, _dataBytes));
                CompleteStage();
                return;
            }

            Pull(_stage._in);
        }
    }
}
