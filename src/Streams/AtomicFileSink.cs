using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Writes a stream of <see cref="LayerBytes"/> (releasing each once written) to a file that
/// appears complete or not at all (Core's <see cref="AtomicOutputFile"/>): bytes go to a hidden temporary file beside the target; only
/// upstream completion commits it (fsync, rename, directory fsync). A failure or a cancellation
/// deletes the temporary file before the materialized task faults, so whoever awaits the task
/// never sees a leftover. The task's value is the number of bytes written.
/// </summary>
/// <remarks>
/// Writes and fsync block, so the stage belongs on the io-dispatcher in an island of its own:
/// <see cref="Create"/> does both. (Fused without an async boundary, a dispatcher attribute moves
/// the whole fused graph onto that dispatcher, not just this stage.)
/// </remarks>
public sealed class AtomicFileSink : GraphStageWithMaterializedValue<SinkShape<LayerBytes>, Task<long>>
{
    private readonly Inlet<LayerBytes> _in = new("atomicFileSink.in");
    private readonly string _targetPath;
    private readonly Func<IBlobTarget> _open;

    /// <param name="dispatcher">Config path of the dispatcher for the blocking writes; null for the stream default.</param>
    public AtomicFileSink(string targetPath, string? dispatcher = null)
        : this(targetPath, () => AtomicOutputFile.Create(targetPath), dispatcher)
    {
    }

    /// <param name="targetPath">Names the blob in messages.</param>
    /// <param name="open">Opens the blob's destination (<see cref="IBlobTarget"/>): a file, a registry upload, or both.</param>
    /// <param name="dispatcher">Config path of the dispatcher for the blocking writes; null for the stream default.</param>
    public AtomicFileSink(string targetPath, Func<IBlobTarget> open, string? dispatcher = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        ArgumentNullException.ThrowIfNull(open);
        _targetPath = targetPath;
        _open = open;
        Shape = new SinkShape<LayerBytes>(_in);
        var name = Attributes.CreateName("atomicFileSink");
        InitialAttributes = dispatcher is null ? name : name.And(ActorAttributes.CreateDispatcher(dispatcher));
    }

    public override SinkShape<LayerBytes> Shape { get; }

    /// <summary>The sink on <paramref name="dispatcher"/>, behind an async boundary so only the writes run there.</summary>
    public static Sink<LayerBytes, Task<long>> Create(string targetPath, string dispatcher, Func<IBlobTarget>? open = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dispatcher);
        // Two elements queued at the island's door, not Akka's default 16: each may be a 4 MiB
        // block, and one written while the next waits is all the overlap a sequential file needs.
        return Sink.FromGraph(new AtomicFileSink(targetPath, open ?? (() => AtomicOutputFile.Create(targetPath)), dispatcher))
            .WithAttributes(Attributes.CreateInputBuffer(2, 2)).Async();
    }

    protected override Attributes InitialAttributes { get; }

    public override ILogicAndMaterializedValue<Task<long>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var result = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<long>>(new Logic(this, result), result.Task);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly AtomicFileSink _stage;
        private readonly TaskCompletionSource<long> _result;
        private IBlobTarget? _file;
        private long _written;

        public Logic(AtomicFileSink stage, TaskCompletionSource<long> result) : base(stage.Shape)
        {
            _stage = stage;
            _result = result;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: OnUpstreamFailure);
        }

        public override void PreStart()
        {
            _file = Reporting(_stage._open);
            Pull(_stage._in);
        }

        public override void PostStop()
        {
            // Reached without commit when a write, the commit or PreStart threw, or the stage
            // was torn down: the temporary file goes first, then the task learns of it.
            _file?.Dispose();
            _file = null;
            _result.TrySetException(new AbruptStageTerminationException(this));
        }

        private void OnPush()
        {
            var bytes = Grab(_stage._in);
            var stream = _file!.Stream;
            Reporting(() =>
            {
                stream.Write(bytes.Span);
                return true;
            });
            // Written: the file was the bytes' last reader (an uncompressed layer's blocks).
            bytes.Release();
            _written += bytes.Length;
            Pull(_stage._in);
        }

        private void OnUpstreamFinish()
        {
            var file = _file!;
            Reporting(() =>
            {
                file.Commit();
                return true;
            });
            file.Dispose();
            _file = null;
            _result.TrySetResult(_written);
            CompleteStage();
        }

        /// <summary>
        /// Runs a file operation; if it throws, the temporary file is deleted and the task gets
        /// the real cause (ENOSPC, EIO…) before the exception fails the stage, which PostStop
        /// alone could only report as an abrupt termination.
        /// </summary>
        private T Reporting<T>(Func<T> operation)
        {
            try
            {
                return operation();
            }
            catch (Exception e) when (Report(e))
            {
                throw new UnreachableException();
            }
        }

        private bool Report(Exception cause)
        {
            var temporary = (_file as AtomicOutputFile)?.TemporaryPath;
            _file?.Dispose();
            _file = null;
            // .NET names the temporary file ("No space left on device : '/out/.x.tmp-…'"): say which output could not be written.
            _result.TrySetException(cause is IOException io && temporary is not null && io.Message.Contains(temporary, StringComparison.Ordinal)
                ? new IOException($"{_stage._targetPath}: cannot write the layer: {io.Message.Replace($" : '{temporary}'", string.Empty, StringComparison.Ordinal)}", io)
                : cause);
            return false;
        }

        private void OnUpstreamFailure(Exception cause)
        {
            _file?.Dispose();
            _file = null;
            // A kill switch delivers its abort reason wrapped, as the faulted task it came from.
            var cancelled = cause as OperationCanceledException ?? (cause as AggregateException)?.InnerException as OperationCanceledException;
            if (cancelled is not null)
            {
                _result.TrySetCanceled(cancelled.CancellationToken);
            }
            else
            {
                _result.TrySetException(cause);
            }

            FailStage(cause);
        }
    }
}
