using System.Security.Cryptography;
using Akka.Streams;
using Akka.Streams.Stage;
using ParallelDiff.Core;

namespace ParallelDiff.Streams;

/// <summary>
/// A pass-through tee that hashes and counts the bytes flowing by. A layer needs two digests of
/// one pass: the diffID (sha256 of the uncompressed tar) and the blob digest (sha256 of the
/// compressed bytes); one tee in front of the compressor and one behind it give both. The
/// materialized task completes only when upstream completes: a digest of part of a stream is
/// no digest, so a failure or a cancellation faults it. It only reads the bytes: releasing them
/// stays with whoever consumes them downstream.
/// </summary>
public sealed class DigestFlow : GraphStageWithMaterializedValue<FlowShape<LayerBytes, LayerBytes>, Task<StreamDigest>>
{
    private readonly Inlet<LayerBytes> _in = new("digest.in");
    private readonly Outlet<LayerBytes> _out = new("digest.out");

    public DigestFlow() => Shape = new FlowShape<LayerBytes, LayerBytes>(_in, _out);

    public override FlowShape<LayerBytes, LayerBytes> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("digest");

    public override ILogicAndMaterializedValue<Task<StreamDigest>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var result = new TaskCompletionSource<StreamDigest>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<StreamDigest>>(new Logic(this, result), result.Task);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly TaskCompletionSource<StreamDigest> _result;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public Logic(DigestFlow stage, TaskCompletionSource<StreamDigest> result) : base(stage.Shape)
        {
            _result = result;
            SetHandler(stage._in,
                onPush: () =>
                {
                    var bytes = Grab(stage._in);
                    _hash.AppendData(bytes.Span);
                    _length += bytes.Length;
                    Push(stage._out, bytes);
                },
                onUpstreamFinish: () =>
                {
                    _result.TrySetResult(new StreamDigest(Sha256Text.FromHash(_hash.GetHashAndReset()), _length));
                    CompleteStage();
                },
                onUpstreamFailure: e =>
                {
                    _result.TrySetException(e);
                    FailStage(e);
                });
            SetHandler(stage._out,
                onPull: () => Pull(stage._in),
                onDownstreamFinish: cause =>
                {
                    _result.TrySetException(new OperationCanceledException($"digest: downstream cancelled after {_length} bytes ({cause.Message})", cause));
                    CompleteStage();
                });
        }

        public override void PostStop()
        {
            _result.TrySetException(new AbruptStageTerminationException(this));
            _hash.Dispose();
        }
    }
}
